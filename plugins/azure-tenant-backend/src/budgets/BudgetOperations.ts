import { randomUUID } from 'node:crypto';
import {
  AuditorService,
  AuditorServiceEvent,
  AuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  azureSubscriptionEntityRef,
  azureTenantBudgetCreatePermission,
  azureTenantBudgetDeletePermission,
  azureTenantBudgetUpdatePermission,
  Budget,
  BudgetScope,
  BudgetStatus,
} from '@azure-tenant/plugin-azure-tenant-common';
import { JsonObject } from '@backstage/types';
import { entityOwnerRef } from '../catalog/entityOwnerRef';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { ownerRef } from '../resources/resourceSearchParameters';
import { auditEventOptions, Caller, requireUser } from '../service/caller';
import { addDays, dayOf } from '../spend/spendDays';
import { SpendStore } from '../spend/SpendStore';
import { BudgetAccess } from './budgetAccess';
import { BudgetEvaluationStore } from './BudgetEvaluationStore';
import {
  parseBudgetInput,
  textProblem,
  parseMuteUntil,
  ValidBudgetInput,
} from './budgetInput';
import { budgetPeriodOf } from './budgetPeriods';
import { ownBudgetRuleset } from './budgetPermissionRules';
import { BudgetScopeResolver } from './BudgetScopeResolver';
import { BudgetStore } from './BudgetStore';
import { ExchangeRates } from './exchangeRates';
import { scopeSubscriptions } from './ScopeSpendReader';

/** Options for {@link BudgetOperations}. */
export interface BudgetOperationsOptions {
  store: BudgetStore;
  /** The evaluations and crossed thresholds of the budgets; without it, every status is `no-data`. */
  evaluations?: Pick<
    BudgetEvaluationStore,
    'getEvaluations' | 'crossedThresholds'
  >;
  /** The connected subscriptions: a budget's subscriptions must be connected. */
  subscriptions: Pick<AzureTenantStore, 'getSubscriptions'>;
  /** The synced spend, for the currencies of a scope. */
  spend: Pick<SpendStore, 'aggregate' | 'listSyncStates'>;
  /** What a scope covers, for the subscriptions whose currencies a budget must match. */
  scopes: Pick<BudgetScopeResolver, 'resolve'>;
  /** Whether entities and owners exist, and who owns a scope; read with the plugin's own credentials. */
  catalog: CatalogService;
  auth: AuthService;
  permissions: PermissionsService;
  /** The rules a conditional decision is applied with; defaults to the plugin's own (`isBudgetOwner`). */
  ruleset?: PermissionRuleset<Budget, unknown, string>;
  auditor: AuditorService;
  /** `azureTenant.budgets.exchangeRates`; without it, a budget must be in its scope's spend currency. */
  exchangeRates?: ExchangeRates;
  /** Called after a budget was created, replaced, deleted or muted, to evaluate it at once. */
  onBudgetChanged?: (budgetId: string) => Promise<void> | void;
  logger?: LoggerService;
  /** The clock; tests move it. Defaults to the system clock. */
  now?: () => Date;
}

/** Filters of {@link BudgetOperations.list}. */
export interface BudgetListFilter {
  owner?: string;
  scopeKind?: BudgetScope['kind'];
}

/** How far back spend is read for a scope's currencies. */
const CURRENCY_LOOKBACK_DAYS = 366;

const CONFIG_KEY = 'azureTenant.budgets.declared';

/** The kinds an owner may be. */
const OWNER_KINDS = new Set(['group', 'user']);

/**
 * Budgets, for whoever asks: the REST API and the actions registry call the same methods, so the same validation,
 * permission checks, errors and audit events apply to both.
 *
 * Reading a budget follows reading its spend (`azure-tenant.spend.read` on the scope's entity). Creating, changing,
 * muting and deleting are for users, with `azure-tenant.budget.create`, `.update` and `.delete`, whose conditional
 * decisions (such as `isBudgetOwner`) are applied to the budget here. Budgets declared in app-config are read-only,
 * but may be muted. Every write is audited (`budget-create`, `budget-update`, `budget-mute`, `budget-delete`), a
 * refused one too.
 */
export class BudgetOperations {
  private readonly access: BudgetAccess;
  private readonly now: () => Date;

  constructor(private readonly options: BudgetOperationsOptions) {
    this.access = new BudgetAccess({
      permissions: options.permissions,
      ruleset: options.ruleset ?? ownBudgetRuleset(),
    });
    this.now = options.now ?? (() => new Date());
  }

  /** The budgets the caller may see, by name, with their status; optionally of one owner or kind of scope. */
  async list(
    caller: Caller,
    filter: BudgetListFilter = {},
  ): Promise<BudgetStatus[]> {
    // As a budget's owner: no entity ref holds a control character or half a surrogate pair.
    const ownerProblem =
      filter.owner === undefined ? undefined : textProblem(filter.owner);
    if (ownerProblem) throw new InputError(`owner ${ownerProblem}`);
    const owner = ownerRef(filter.owner);
    const budgets = (await this.options.store.list()).filter(
      budget =>
        (!owner || budget.owner === owner) &&
        (!filter.scopeKind || budget.scope.kind === filter.scopeKind),
    );
    const readable = await this.access.readable(caller, budgets);
    const statuses = await this.statusesOf(readable);
    return statuses.sort(
      (a, b) =>
        a.budget.name.localeCompare(b.budget.name) ||
        a.budget.id.localeCompare(b.budget.id),
    );
  }

  /** One budget with its status; 404 when there is none, 403 when the caller may not read its spend. */
  async get(caller: Caller, budgetId: string): Promise<BudgetStatus> {
    const budget = await this.find(budgetId);
    await this.access.assertReadable(caller, budget);
    const [status] = await this.statusesOf([budget]);
    return status;
  }

  /** Creates a budget (users only), owned by `owner` or the scope's owner. */
  async create(caller: Caller, body: unknown): Promise<BudgetStatus> {
    const user = requireUser(caller);
    const input = parseBudgetInput(body);
    return this.audited(
      caller,
      'budget-create',
      { name: input.name, scope: auditFields(input.scope) },
      async () => {
        const decision = await this.access.decide(
          caller,
          azureTenantBudgetCreatePermission,
          'You may not create budgets',
        );
        const { owner, conversions } = await this.checkAgainstScope(input);
        const at = this.now().toISOString();
        const budget: Budget = {
          ...input,
          id: randomUUID(),
          owner,
          source: 'portal',
          createdBy: user,
          createdAt: at,
          updatedAt: at,
        };
        this.access.assertConditions(
          decision,
          azureTenantBudgetCreatePermission,
          [
            {
              budget,
              refusal: `You may not create a budget owned by ${owner}`,
            },
          ],
        );
        await this.options.store.create(budget);
        await this.changed(budget.id);
        const [status] = await this.statusesOf([budget], conversions);
        return { result: status, meta: { budgetId: budget.id, owner } };
      },
    );
  }

  /**
   * Replaces a budget's fields (users only), keeping its mute, creator and creation time. Needs update on the budget
   * as it is and as it would be, so that nobody moves a budget to, or takes one from, a team they may not change.
   */
  async replace(
    caller: Caller,
    budgetId: string,
    body: unknown,
  ): Promise<BudgetStatus> {
    requireUser(caller);
    const input = parseBudgetInput(body);
    return this.audited(
      caller,
      'budget-update',
      { budgetId, name: input.name, scope: auditFields(input.scope) },
      async () => {
        const existing = await this.find(budgetId);
        this.assertPortalBudget(existing, 'changed');
        const decision = await this.access.decide(
          caller,
          azureTenantBudgetUpdatePermission,
          `You may not change budget ${existing.id}`,
        );
        this.access.assertConditions(
          decision,
          azureTenantBudgetUpdatePermission,
          [
            {
              budget: existing,
              refusal: `You may not change budget ${existing.id}, owned by ${existing.owner}`,
            },
          ],
        );
        const { owner, conversions } = await this.checkAgainstScope(input);
        const budget: Budget = {
          ...input,
          id: existing.id,
          owner,
          source: existing.source,
          ...(existing.mutedUntil ? { mutedUntil: existing.mutedUntil } : {}),
          ...(existing.createdBy ? { createdBy: existing.createdBy } : {}),
          createdAt: existing.createdAt,
          updatedAt: this.now().toISOString(),
        };
        this.access.assertConditions(
          decision,
          azureTenantBudgetUpdatePermission,
          [
            {
              budget,
              refusal: `You may not give budget ${existing.id} to ${owner}`,
            },
          ],
        );
        await this.options.store.replace(existing.id, budget);
        await this.changed(budget.id);
        const [status] = await this.statusesOf([budget], conversions);
        return {
          result: status,
          meta: { before: auditFields(existing), after: auditFields(budget) },
        };
      },
    );
  }

  /** Deletes a budget (users only). Alerts already sent are kept. */
  async delete(caller: Caller, budgetId: string): Promise<void> {
    requireUser(caller);
    await this.audited(caller, 'budget-delete', { budgetId }, async () => {
      const existing = await this.find(budgetId);
      this.assertPortalBudget(existing, 'removed');
      const decision = await this.access.decide(
        caller,
        azureTenantBudgetDeletePermission,
        `You may not delete budget ${existing.id}`,
      );
      this.access.assertConditions(
        decision,
        azureTenantBudgetDeletePermission,
        [
          {
            budget: existing,
            refusal: `You may not delete budget ${existing.id}, owned by ${existing.owner}`,
          },
        ],
      );
      await this.options.store.delete(existing.id);
      await this.changed(existing.id);
      return { result: undefined, meta: { before: auditFields(existing) } };
    });
  }

  /**
   * Mutes a budget's alerts until `until` (at most a year ahead), or ends a mute with `null` (users only). Declared
   * budgets may be muted too: a mute is the portal's, not the budget's definition.
   */
  async mute(
    caller: Caller,
    budgetId: string,
    until: unknown,
  ): Promise<BudgetStatus> {
    requireUser(caller);
    const mutedUntil = parseMuteUntil(until, this.now());
    return this.audited(
      caller,
      'budget-mute',
      { budgetId, until: mutedUntil ?? null },
      async () => {
        const existing = await this.find(budgetId);
        const decision = await this.access.decide(
          caller,
          azureTenantBudgetUpdatePermission,
          `You may not mute budget ${existing.id}`,
        );
        this.access.assertConditions(
          decision,
          azureTenantBudgetUpdatePermission,
          [
            {
              budget: existing,
              refusal: `You may not mute budget ${existing.id}, owned by ${existing.owner}`,
            },
          ],
        );
        const updatedAt = this.now().toISOString();
        await this.options.store.setMutedUntil(
          existing.id,
          mutedUntil,
          updatedAt,
        );
        const { mutedUntil: _previous, ...rest } = existing;
        const budget: Budget = {
          ...rest,
          ...(mutedUntil ? { mutedUntil } : {}),
          updatedAt,
        };
        await this.changed(budget.id);
        const [status] = await this.statusesOf([budget]);
        return {
          result: status,
          meta: { owner: existing.owner, before: existing.mutedUntil ?? null },
        };
      },
    );
  }

  /** A budget by id (ids of the portal's budgets are lower-case GUIDs, so case does not matter). */
  private async find(budgetId: string): Promise<Budget> {
    const budget =
      (await this.options.store.get(budgetId)) ??
      (await this.options.store.get(budgetId.toLowerCase()));
    if (!budget) throw new NotFoundError(`There is no budget ${budgetId}`);
    return budget;
  }

  private assertPortalBudget(budget: Budget, verb: string) {
    if (budget.source === 'config') {
      throw new ConflictError(
        `Budget ${budget.id} is declared in app-config (${CONFIG_KEY}); change it there: it is ${verb} there, not in the portal`,
      );
    }
  }

  /** Runs a write inside its audit event: success with `meta`, or the failure (a refusal too). */
  private async audited<T>(
    caller: Caller,
    eventId: string,
    meta: JsonObject,
    write: () => Promise<{ result: T; meta: JsonObject }>,
  ): Promise<T> {
    const audit: AuditorServiceEvent = await this.options.auditor.createEvent(
      auditEventOptions(caller, {
        eventId,
        severityLevel: 'medium',
        meta,
      }),
    );
    try {
      const { result, meta: resultMeta } = await write();
      await audit.success({ meta: resultMeta });
      return result;
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }

  /** Tells the evaluation; a failure there does not undo the change, which is stored already. */
  private async changed(budgetId: string): Promise<void> {
    try {
      await this.options.onBudgetChanged?.(budgetId);
    } catch (error) {
      this.options.logger?.warn(
        `Budget ${budgetId} changed, but could not be evaluated at once; the next evaluation will: ${error}`,
      );
    }
  }

  /**
   * Checks a budget against its scope: that the scope exists (a connected subscription, a catalog entity), who owns
   * it (the given owner, or the scope's), that the owner is a group or user in the catalog, and that the scope's
   * spend is in the budget's currency or converts to it. Returns the owner and how currencies convert.
   */
  private async checkAgainstScope(
    input: ValidBudgetInput,
  ): Promise<{ owner: string; conversions: string[] }> {
    const { scope } = input;
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const getEntity = (ref: string) =>
      this.options.catalog.getEntityByRef(ref, { credentials });

    const subscriptionIds = new Set<string>();
    if (scope.kind === 'subscription' || scope.kind === 'resourceGroup') {
      subscriptionIds.add(scope.subscriptionId);
    } else if (scope.kind === 'customGroup') {
      for (const id of scope.subscriptionIds ?? []) subscriptionIds.add(id);
      for (const group of scope.resourceGroups ?? []) {
        subscriptionIds.add(group.subscriptionId);
      }
    }
    if (subscriptionIds.size > 0) {
      const connected = new Set(
        (
          await this.options.subscriptions.getSubscriptions([
            ...subscriptionIds,
          ])
        ).map(s => s.subscriptionId.toLowerCase()),
      );
      const missing = [...subscriptionIds].filter(id => !connected.has(id));
      if (missing.length > 0) {
        throw new InputError(
          `Subscription ${missing.join(
            ', ',
          )} is not connected to the portal: a budget can only cover connected subscriptions`,
        );
      }
    }

    let owner = input.owner;
    if (scope.kind === 'entity') {
      const entity = await getEntity(scope.entityRef);
      if (!entity) {
        throw new InputError(
          `scope.entityRef ${scope.entityRef} was not found in the catalog`,
        );
      }
      owner ??= ownerOfEntity(entity);
      if (!owner) {
        throw new InputError(
          `${scope.entityRef} has no owner in the catalog: give the budget an owner`,
        );
      }
    } else if (scope.kind === 'customGroup') {
      if (!owner) {
        throw new InputError(
          'owner is required for a custom group: the group or user that owns the budget and is notified',
        );
      }
    } else if (!owner) {
      const ref = azureSubscriptionEntityRef(scope.subscriptionId);
      const entity = await getEntity(ref);
      owner = entity ? ownerOfEntity(entity) : undefined;
      if (!owner) {
        throw new InputError(
          `Subscription ${
            scope.subscriptionId
          } has no owner in the catalog (${ref}${
            entity ? ' has no spec.owner' : ' is not in the catalog yet'
          }): give the budget an owner`,
        );
      }
    }

    const ownerEntity = await getEntity(owner);
    if (!ownerEntity || !OWNER_KINDS.has(ownerEntity.kind.toLowerCase())) {
      throw new InputError(
        `owner ${owner} must be a group or user in the catalog${
          ownerEntity ? `, not a ${ownerEntity.kind}` : ', and was not found'
        }`,
      );
    }

    const conversions = await this.checkCurrency(input);
    return { owner, conversions };
  }

  /**
   * The currencies of the spend of the scope's subscriptions (over the last year, and their forecasts) must be the
   * budget's, or convert to it with a configured rate: currencies are never mixed silently. Returns how each
   * converts.
   */
  private async checkCurrency(input: ValidBudgetInput): Promise<string[]> {
    const resolved = await this.options.scopes.resolve(input.scope);
    const subscriptionIds = scopeSubscriptions(resolved);
    if (subscriptionIds.length === 0) return [];
    const today = dayOf(this.now());
    const [sums, states] = await Promise.all([
      this.options.spend.aggregate({
        scope: { subscriptionIds, resourceKeys: [] },
        from: addDays(today, -CURRENCY_LOOKBACK_DAYS),
        to: today,
        dimension: 'none',
        perSubscription: true,
      }),
      this.options.spend.listSyncStates(subscriptionIds),
    ]);
    const byCurrency = new Map<string, Set<string>>();
    const add = (currency: string, subscriptionId: string) => {
      const ids = byCurrency.get(currency) ?? new Set<string>();
      ids.add(subscriptionId);
      byCurrency.set(currency, ids);
    };
    for (const sum of sums) {
      if (sum.subscriptionId) add(sum.currency, sum.subscriptionId);
    }
    for (const state of states) {
      if (state.forecast) add(state.forecast.currency, state.subscriptionId);
    }

    const conversions: string[] = [];
    for (const [currency, ids] of [...byCurrency].sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      if (currency === input.currency) continue;
      const converted = this.options.exchangeRates?.convert(
        1,
        currency,
        input.currency,
      );
      if (!converted) {
        const which = [...ids].sort().join(', ');
        throw new InputError(
          `The spend of subscription ${which} is in ${currency}, and this budget is in ${input.currency}: ` +
            `give the budget in ${currency}, or configure a rate from ${currency} to ${input.currency} in ` +
            `azureTenant.budgets.exchangeRates. Currencies are never mixed without one.`,
        );
      }
      conversions.push(converted.note);
    }
    return conversions;
  }

  /**
   * The status of each budget: its last evaluation and the thresholds crossed in that period; `no-data` in its
   * current period when it was not evaluated yet, with `conversions` (from the create's currency check) if given.
   */
  private async statusesOf(
    budgets: Budget[],
    conversions: string[] = [],
  ): Promise<BudgetStatus[]> {
    if (budgets.length === 0) return [];
    const ids = budgets.map(b => b.id);
    const { evaluations } = this.options;
    const [evaluated, crossed] = evaluations
      ? await Promise.all([
          evaluations.getEvaluations(ids),
          evaluations.crossedThresholds(ids),
        ])
      : [new Map(), new Map()];
    const today = dayOf(this.now());
    return budgets.map((budget): BudgetStatus => {
      const evaluation = evaluated.get(budget.id);
      if (evaluation) {
        return {
          budget,
          ...evaluation,
          crossed: (crossed.get(budget.id) ?? [])
            .filter(
              (c: { periodStart: string }) =>
                c.periodStart === evaluation.periodStart,
            )
            .map(
              (c: { threshold: BudgetStatus['crossed'][number] }) =>
                c.threshold,
            ),
        };
      }
      const period = budgetPeriodOf(budget.period, today);
      return {
        budget,
        periodStart: period.start,
        periodEnd: period.end,
        actual: 0,
        forecast: 0,
        actualPercent: 0,
        forecastPercent: 0,
        state: 'no-data',
        conversions,
        crossed: [],
      };
    });
  }
}

/** A budget (or a part of one) as an audit event's metadata: JSON already, as the API answers it. */
function auditFields(value: Budget | BudgetScope): JsonObject {
  return JSON.parse(JSON.stringify(value));
}

/** Who owns an entity's budget by default: a group or user owns its own, any other entity its owner. */
function ownerOfEntity(entity: Entity): string | undefined {
  if (OWNER_KINDS.has(entity.kind.toLowerCase())) {
    return stringifyEntityRef(entity);
  }
  return entityOwnerRef(entity);
}
