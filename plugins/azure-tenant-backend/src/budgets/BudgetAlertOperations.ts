import { PermissionsService } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  azureTenantAlertsReadPermission,
  azureTenantSpendReadPermission,
  SpendAlert,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Caller } from '../service/caller';
import { budgetReadEntityRef } from './budgetAccess';
import {
  BudgetEvaluationStore,
  spendAlertCursor,
} from './BudgetEvaluationStore';
import { BudgetStore } from './BudgetStore';

/** Options for {@link BudgetAlertOperations}. */
export interface BudgetAlertOperationsOptions {
  evaluations: Pick<BudgetEvaluationStore, 'listAlerts'>;
  budgets: Pick<BudgetStore, 'get'>;
  permissions: PermissionsService;
}

/** What `GET /budget-alerts` asks for, as strings from a query. */
export interface BudgetAlertQuery {
  budgetId?: string;
  kind?: string;
  limit?: string | number;
  before?: string;
}

/** A page of alerts, newest first. */
export interface SpendAlertPage {
  items: SpendAlert[];
  /** The `before` of the next page, when there may be more. */
  nextBefore?: string;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const ALERT_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseLimit(limit: string | number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  const value = Number(limit);
  if (!Number.isInteger(value) || value < 1 || value > MAX_LIMIT) {
    throw new InputError(
      `limit must be a whole number from 1 to ${MAX_LIMIT}, not '${limit}'`,
    );
  }
  return value;
}

function parseBefore(before: string | undefined): string | undefined {
  if (before === undefined) return undefined;
  const [time, id, ...rest] = before.split('~');
  if (
    rest.length > 0 ||
    !ISO_TIME.test(time) ||
    Number.isNaN(Date.parse(time)) ||
    (id !== undefined && !ALERT_ID.test(id))
  ) {
    throw new InputError(
      `before must be an ISO 8601 time, such as 2026-12-03T10:00:00Z, or the nextBefore of a previous page`,
    );
  }
  return before;
}

/**
 * The spend alerts sent, for whoever asks (the REST API and the actions registry): every alert for admins and
 * auditors (`azure-tenant.alerts.read`), a budget's alerts for those who may read the budget (its spend).
 */
export class BudgetAlertOperations {
  constructor(private readonly options: BudgetAlertOperationsOptions) {}

  async list(caller: Caller, query: BudgetAlertQuery): Promise<SpendAlertPage> {
    const { budgets, evaluations, permissions } = this.options;
    const limit = parseLimit(query.limit);
    const before = parseBefore(query.before);
    const kind = query.kind;
    if (kind !== undefined && kind !== 'threshold' && kind !== 'anomaly') {
      throw new InputError(`kind must be threshold or anomaly, not '${kind}'`);
    }
    const { budgetId } = query;

    const budget = budgetId ? await budgets.get(budgetId) : undefined;
    const decisions = await permissions.authorize(
      [
        { permission: azureTenantAlertsReadPermission },
        ...(budget
          ? [
              {
                permission: azureTenantSpendReadPermission,
                resourceRef: budgetReadEntityRef(budget),
              },
            ]
          : []),
      ],
      { credentials: caller.credentials },
    );
    const mayReadAll = decisions[0].result === AuthorizeResult.ALLOW;
    if (budgetId === undefined && !mayReadAll) {
      throw new NotAllowedError(
        'You may not see every spend alert: that needs azure-tenant.alerts.read. Ask for the alerts of a budget you may see with budgetId.',
      );
    }
    if (budgetId !== undefined && !budget && !mayReadAll) {
      // The alerts of a deleted budget stay on record, for those who may read every alert.
      throw new NotFoundError(`Budget ${budgetId} was not found`);
    }
    if (
      budget &&
      !mayReadAll &&
      decisions[1]?.result !== AuthorizeResult.ALLOW
    ) {
      throw new NotAllowedError(
        `You may not see the alerts of budget ${budgetId}: it needs azure-tenant.spend.read on ${budgetReadEntityRef(
          budget,
        )}`,
      );
    }

    const alerts = await evaluations.listAlerts({
      ...(budgetId !== undefined ? { budgetIds: [budgetId] } : {}),
      ...(kind ? { kind } : {}),
      ...(before ? { before } : {}),
      limit: limit + 1,
    });
    const items = alerts.slice(0, limit);
    return alerts.length > limit
      ? { items, nextBefore: spendAlertCursor(items[items.length - 1]) }
      : { items };
  }
}
