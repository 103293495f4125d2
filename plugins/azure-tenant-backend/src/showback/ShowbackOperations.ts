import { PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import {
  azureTenantReadPermission,
  azureTenantSpendReadPermission,
  ShowbackReport,
} from '@azure-tenant/plugin-azure-tenant-common';
import { chunks } from '../database/batches';
import { Caller } from '../service/caller';
import {
  AllocatedRow,
  centsToAmount,
  UNALLOCATED_OWNER,
} from './showbackAllocation';
import { parseShowbackQuery, ShowbackQueryInput } from './showbackQuery';
import { ShowbackService, ShowbackServiceOptions } from './ShowbackService';

/** Options for {@link ShowbackOperations}. */
export interface ShowbackOperationsOptions extends ShowbackServiceOptions {
  permissions: PermissionsService;
}

const toRow = (row: AllocatedRow) => ({
  month: row.month,
  owner: row.owner,
  currency: row.currency,
  amount: centsToAmount(row.cents),
  resourceCount: row.resourceCount,
});

/**
 * Showback for whoever asks: the REST API and the actions registry call the same method, so the same permission
 * checks and errors apply to both. The rows of an owner need `azure-tenant.spend.read` on the owner's entity;
 * unallocated spend and the totals, which say what all the teams spend together, need `azure-tenant.tenant.read`.
 */
export class ShowbackOperations {
  private readonly service: ShowbackService;

  constructor(private readonly options: ShowbackOperationsOptions) {
    this.service = new ShowbackService(options);
  }

  /** The showback of whole months, as `GET /showback` answers it. */
  async report(
    caller: Caller,
    input: ShowbackQueryInput,
  ): Promise<ShowbackReport> {
    const query = parseShowbackQuery(input);
    const { from, to, owner } = query;

    if (owner) {
      const [decision] = await this.authorize(caller, [
        { permission: azureTenantSpendReadPermission, resourceRef: owner },
      ]);
      if (decision !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(`You may not see the spend of ${owner}`);
      }
      const result = await this.service.allocate(query);
      return {
        from,
        to,
        rows: result.rows.filter(r => r.owner === owner).map(toRow),
        totals: [],
        notes: [
          ...result.notes,
          `Only the rows of ${owner}: unallocated spend and the totals are left out.`,
        ],
      };
    }

    const result = await this.service.allocate(query);
    const owners = [
      ...new Set(
        result.rows.map(r => r.owner).filter(o => o !== UNALLOCATED_OWNER),
      ),
    ];
    const [tenantRead, ...ownerDecisions] = await this.authorize(caller, [
      { permission: azureTenantReadPermission },
      ...owners.map(resourceRef => ({
        permission: azureTenantSpendReadPermission,
        resourceRef,
      })),
    ]);
    const seesAll = tenantRead === AuthorizeResult.ALLOW;
    const visible = new Set(
      owners.filter((_, i) => ownerDecisions[i] === AuthorizeResult.ALLOW),
    );
    if (!seesAll && visible.size === 0) {
      throw new NotAllowedError(
        'You may not see the showback: it needs azure-tenant.tenant.read, or azure-tenant.spend.read on an owner of Azure spend',
      );
    }

    const notes = [...result.notes];
    if (visible.size < owners.length) {
      notes.push(
        'The rows of owners whose spend you may not read (azure-tenant.spend.read) are left out.',
      );
    }
    if (!seesAll) {
      notes.push(
        'Unallocated spend and the totals need azure-tenant.tenant.read, and are left out.',
      );
    }
    return {
      from,
      to,
      rows: result.rows
        .filter(r =>
          r.owner === UNALLOCATED_OWNER ? seesAll : visible.has(r.owner),
        )
        .map(toRow),
      totals: seesAll
        ? result.totals.map(t => ({
            month: t.month,
            currency: t.currency,
            amount: centsToAmount(t.cents),
          }))
        : [],
      notes,
    };
  }

  /** The decisions for `requests`, in their order, asked in batches. */
  private async authorize(
    caller: Caller,
    requests: AuthorizePermissionRequest[],
  ): Promise<AuthorizeResult[]> {
    const results: AuthorizeResult[] = [];
    for (const batch of chunks(requests)) {
      const decisions = await this.options.permissions.authorize(batch, {
        credentials: caller.credentials,
      });
      results.push(...decisions.map(d => d.result));
    }
    return results;
  }
}
