import {
  AzureAccessProblem,
  AzureAccessStatus,
  AzureSubscription,
  AzureTenant,
  Onboarding,
  RoleAssignmentResult,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { chunks } from './batches';
import { ACCESS_ACTIONS } from '../azure/accessProblems';
import {
  AccessObservation,
  AccessTarget,
  AzureTenantStore,
  NewOnboarding,
  OnboardingClaim,
  OnboardingOutcome,
  SubscriptionRegistration,
  SyncOutcome,
  TenantRegistration,
} from './AzureTenantStore';

type OnboardingRow = {
  id: string;
  kind: Onboarding['kind'];
  status: Onboarding['status'];
  started_by: string;
  tenant_id: string | null;
  error: string | null;
  partner_admin_link: Onboarding['partnerAdminLink'] | null;
  created_at: string;
  expires_at: string;
  completed_at: string | null;
};

type ResultRow = {
  subscription_id: string;
  subscription_name: string;
  role_name: string;
  outcome: RoleAssignmentResult['outcome'];
  reason: string | null;
};

type SubscriptionRow = {
  subscription_id: string;
  tenant_id: string;
  display_name: string;
  state: string | null;
  sync_mode: SyncMode;
  source: AzureSubscription['source'];
  granted_roles: string;
  role_status: AzureSubscription['roleStatus'];
  sync_requested_at: string | null;
  last_sync_status: 'succeeded' | 'failed' | null;
  last_sync_finished_at: string | null;
  last_sync_error: string | null;
  last_successful_sync_at: string | null;
  /** JSON object (migration 20261205090000_subscription_tags); null when the sync mode keeps no tags. */
  tags: string | null;
} & AccessColumns & {
    /** The subscription's tenant's access columns, joined. */
    tenant_access_problem?: AzureAccessProblem | null;
    tenant_access_message?: string | null;
    tenant_access_since?: string | null;
    tenant_access_checked_at?: string | null;
    tenant_access_next_attempt_at?: string | null;
  };

/** The access state of a tenant or a subscription (migration 20261203100000_access_states). */
type AccessColumns = {
  access_problem: AzureAccessProblem | null;
  access_message: string | null;
  access_since: string | null;
  access_checked_at: string | null;
  access_next_attempt_at: string | null;
  access_attempts?: number;
};

const ACCESS_COLUMN_NAMES = [
  'access_problem',
  'access_message',
  'access_since',
  'access_checked_at',
  'access_next_attempt_at',
] as const;

/** A subscription's columns, with its tenant's access columns (`tenant_access_*`). */
const SUBSCRIPTION_COLUMNS = [
  'subscriptions.*',
  ...ACCESS_COLUMN_NAMES.map(name => `tenants.${name} as tenant_${name}`),
];

function toAccessStatus(
  columns: Partial<AccessColumns>,
): AzureAccessStatus | undefined {
  const {
    access_problem: problem,
    access_message: message,
    access_since: since,
    access_checked_at: checkedAt,
    access_next_attempt_at: nextAttemptAt,
  } = columns;
  if (!problem || !since || !checkedAt) return undefined;
  return {
    problem,
    message: message ?? '',
    since,
    checkedAt,
    action: ACCESS_ACTIONS[problem] ?? 'none',
    ...(nextAttemptAt ? { nextAttemptAt } : {}),
  };
}

/** The access columns that clear a problem. */
const NO_ACCESS_PROBLEM = {
  access_problem: null,
  access_message: null,
  access_since: null,
  access_checked_at: null,
  access_next_attempt_at: null,
  access_attempts: 0,
};

const iso = (date: Date) => date.toISOString();

/** A tenant's columns, each selected and grouped by when its subscriptions are counted. */
const TENANT_COLUMNS = [
  'tenants.tenant_id',
  'tenants.display_name',
  'tenants.source',
  'tenants.service_principal_id',
  'tenants.connected_by',
  'tenants.connected_at',
  ...ACCESS_COLUMN_NAMES.map(name => `tenants.${name}`),
  'tenants.unregistered_subscriptions',
];

function toSubscription(row: SubscriptionRow): AzureSubscription {
  // The whole tenant's problem (consent revoked) comes before the subscription's own.
  const access =
    toAccessStatus({
      access_problem: row.tenant_access_problem ?? null,
      access_message: row.tenant_access_message ?? null,
      access_since: row.tenant_access_since ?? null,
      access_checked_at: row.tenant_access_checked_at ?? null,
      access_next_attempt_at: row.tenant_access_next_attempt_at ?? null,
    }) ?? toAccessStatus(row);
  return {
    subscriptionId: row.subscription_id,
    tenantId: row.tenant_id,
    displayName: row.display_name,
    state: row.state ?? undefined,
    syncMode: row.sync_mode,
    roleStatus: row.role_status,
    grantedRoles: JSON.parse(row.granted_roles),
    source: row.source,
    syncRequestedAt: row.sync_requested_at ?? undefined,
    lastSync:
      row.last_sync_status && row.last_sync_finished_at
        ? {
            status: row.last_sync_status,
            finishedAt: row.last_sync_finished_at,
            error: row.last_sync_error ?? undefined,
          }
        : undefined,
    ...(access ? { access } : {}),
    ...(row.last_successful_sync_at
      ? { lastSuccessfulSyncAt: row.last_successful_sync_at }
      : {}),
    ...(row.tags && keepsTags(row.sync_mode)
      ? { tags: JSON.parse(row.tags) }
      : {}),
  };
}

/** Whether a subscription under this sync mode keeps Azure's tags (its own and its resources'). */
function keepsTags(syncMode: SyncMode): boolean {
  return syncMode !== 'no-tags' && syncMode !== 'none';
}

/**
 * {@link AzureTenantStore} on the plugin's own database (SQLite or PostgreSQL), on a schema that
 * `migrateDatabase` has brought up to date.
 */
export class DatabaseAzureTenantStore implements AzureTenantStore {
  constructor(private readonly db: Knex) {}

  async createOnboarding(onboarding: NewOnboarding): Promise<void> {
    await this.db('onboardings').insert({
      id: onboarding.id,
      kind: onboarding.kind,
      status: 'pending',
      state_hash: onboarding.stateHash,
      started_by: onboarding.startedBy,
      created_at: iso(onboarding.createdAt),
      expires_at: iso(onboarding.expiresAt),
    });
  }

  async claimOnboarding(
    stateHash: string,
    now: Date,
  ): Promise<OnboardingClaim> {
    const row: OnboardingRow | undefined = await this.db('onboardings')
      .where({ state_hash: stateHash })
      .first();
    if (!row) return { claim: 'unknown' };
    if (row.status !== 'pending') {
      return { claim: 'used', onboarding: await this.loadOnboarding(row) };
    }
    if (row.expires_at <= iso(now)) {
      await this.db('onboardings')
        .where({ id: row.id, status: 'pending' })
        .update({
          status: 'expired',
          error: 'The sign-in took longer than 10 minutes.',
          completed_at: iso(now),
        });
      return {
        claim: 'expired',
        onboarding: (await this.getOnboarding(row.id))!,
      };
    }
    // The status condition makes the claim atomic: of two callbacks with the same state, one updates the row.
    const updated = await this.db('onboardings')
      .where({ id: row.id, status: 'pending' })
      .update({ status: 'running' });
    const onboarding = (await this.getOnboarding(row.id))!;
    return updated === 1
      ? { claim: 'claimed', onboarding }
      : { claim: 'used', onboarding };
  }

  async setOnboardingTenant(id: string, tenantId: string): Promise<void> {
    await this.db('onboardings').where({ id }).update({ tenant_id: tenantId });
  }

  async completeOnboarding(
    id: string,
    outcome: OnboardingOutcome,
  ): Promise<void> {
    await this.db.transaction(async tx => {
      if (outcome.results.length > 0) {
        await tx('onboarding_results').insert(
          outcome.results.map(result => ({
            onboarding_id: id,
            subscription_id: result.subscriptionId,
            subscription_name: result.subscriptionName,
            role_name: result.roleName,
            outcome: result.outcome,
            reason: result.reason ?? null,
          })),
        );
      }
      await tx('onboardings')
        .where({ id })
        .update({
          status: outcome.status,
          tenant_id: outcome.tenantId ?? null,
          error: outcome.error ?? null,
          partner_admin_link: outcome.partnerAdminLink ?? null,
          completed_at: iso(outcome.completedAt),
        });
    });
  }

  async getOnboarding(id: string): Promise<Onboarding | undefined> {
    const row: OnboardingRow | undefined = await this.db('onboardings')
      .where({ id })
      .first();
    return row ? this.loadOnboarding(row) : undefined;
  }

  private async loadOnboarding(row: OnboardingRow): Promise<Onboarding> {
    const results: ResultRow[] = await this.db('onboarding_results')
      .where({ onboarding_id: row.id })
      .orderBy('id');
    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      startedBy: row.started_by,
      tenantId: row.tenant_id ?? undefined,
      createdAt: row.created_at,
      completedAt: row.completed_at ?? undefined,
      error: row.error ?? undefined,
      partnerAdminLink: row.partner_admin_link ?? undefined,
      results: results.map(r => ({
        subscriptionId: r.subscription_id,
        subscriptionName: r.subscription_name,
        roleName: r.role_name,
        outcome: r.outcome,
        reason: r.reason ?? undefined,
      })),
    };
  }

  async endAbandonedOnboardings(
    now: Date,
    runningCutoff: Date,
  ): Promise<number> {
    const expired = await this.db('onboardings')
      .where({ status: 'pending' })
      .andWhere('expires_at', '<=', iso(now))
      .update({
        status: 'expired',
        error: 'The sign-in took longer than 10 minutes.',
        completed_at: iso(now),
      });
    const interrupted = await this.db('onboardings')
      .where({ status: 'running' })
      .andWhere('created_at', '<=', iso(runningCutoff))
      .update({
        status: 'failed',
        error:
          'The portal stopped before this onboarding finished. Nothing was registered from it; connect the tenant again.',
        completed_at: iso(now),
      });
    return expired + interrupted;
  }

  async register(
    tenant: TenantRegistration,
    subscriptions: SubscriptionRegistration[],
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const existing = await tx('tenants')
        .where({ tenant_id: tenant.tenantId })
        .first();
      if (existing) {
        await tx('tenants')
          .where({ tenant_id: tenant.tenantId })
          .update({
            display_name: tenant.displayName ?? existing.display_name,
            service_principal_id:
              tenant.servicePrincipalId ?? existing.service_principal_id,
            updated_at: iso(tenant.at),
          });
      } else {
        await tx('tenants').insert({
          tenant_id: tenant.tenantId,
          display_name: tenant.displayName ?? null,
          source: tenant.source,
          service_principal_id: tenant.servicePrincipalId ?? null,
          connected_by: tenant.connectedBy ?? null,
          connected_at: iso(tenant.at),
          updated_at: iso(tenant.at),
        });
      }

      for (const sub of subscriptions) {
        const row = {
          tenant_id: sub.tenantId,
          display_name: sub.displayName,
          state: sub.state ?? null,
          granted_roles: JSON.stringify(sub.grantedRoles),
          role_status: sub.roleStatus,
          updated_at: iso(sub.at),
        };
        const updated = await tx('subscriptions')
          .where({ subscription_id: sub.subscriptionId })
          .update(row);
        if (updated === 0) {
          await tx('subscriptions').insert({
            ...row,
            subscription_id: sub.subscriptionId,
            sync_mode: sub.initialSyncMode,
            source: sub.source,
            created_at: iso(sub.at),
          });
        }
      }
    });
  }

  async listTenants(): Promise<AzureTenant[]> {
    const rows = await this.db('tenants')
      .leftJoin('subscriptions', 'tenants.tenant_id', 'subscriptions.tenant_id')
      .groupBy(TENANT_COLUMNS)
      .orderBy('tenants.connected_at')
      .select(TENANT_COLUMNS)
      .count({ subscription_count: 'subscriptions.subscription_id' });
    return rows.map((row: any) => {
      const access = toAccessStatus(row);
      const unregistered = row.unregistered_subscriptions
        ? JSON.parse(row.unregistered_subscriptions)
        : [];
      return {
        tenantId: row.tenant_id,
        displayName: row.display_name ?? undefined,
        source: row.source,
        servicePrincipalId: row.service_principal_id ?? undefined,
        connectedBy: row.connected_by ?? undefined,
        connectedAt: row.connected_at,
        subscriptionCount: Number(row.subscription_count),
        ...(access ? { access } : {}),
        ...(unregistered.length > 0
          ? { unregisteredSubscriptions: unregistered }
          : {}),
      };
    });
  }

  async listSubscriptions(filter?: {
    tenantId?: string;
  }): Promise<AzureSubscription[]> {
    const query = this.subscriptionRows().orderBy([
      'subscriptions.tenant_id',
      'subscriptions.display_name',
      'subscriptions.subscription_id',
    ]);
    if (filter?.tenantId) {
      query.where({ 'subscriptions.tenant_id': filter.tenantId });
    }
    return (await query).map(toSubscription);
  }

  async getSubscription(
    subscriptionId: string,
  ): Promise<AzureSubscription | undefined> {
    const row = await this.subscriptionRows()
      .where({ 'subscriptions.subscription_id': subscriptionId })
      .first();
    return row ? toSubscription(row) : undefined;
  }

  async getSubscriptions(
    subscriptionIds: string[],
  ): Promise<AzureSubscription[]> {
    const result: AzureSubscription[] = [];
    for (const chunk of chunks(subscriptionIds)) {
      const rows = await this.subscriptionRows().whereIn(
        'subscriptions.subscription_id',
        chunk,
      );
      result.push(...rows.map(toSubscription));
    }
    return result;
  }

  /** Subscriptions with their tenant's access columns. */
  private subscriptionRows() {
    return this.db<SubscriptionRow>('subscriptions')
      .leftJoin('tenants', 'subscriptions.tenant_id', 'tenants.tenant_id')
      .select(SUBSCRIPTION_COLUMNS);
  }

  async setSyncMode(
    subscriptionId: string,
    syncMode: SyncMode,
    at: Date,
  ): Promise<AzureSubscription | undefined> {
    await this.db('subscriptions')
      .where({ subscription_id: subscriptionId })
      .update({
        sync_mode: syncMode,
        updated_at: iso(at),
        // A mode that keeps no tags purges them at once, as the next sync purges the resources' tags.
        ...(keepsTags(syncMode) ? {} : { tags: null }),
      });
    return this.getSubscription(subscriptionId);
  }

  async requestSync(
    subscriptionId: string,
    at: Date,
  ): Promise<AzureSubscription | undefined> {
    await this.db('subscriptions')
      .where({ subscription_id: subscriptionId })
      .update({ sync_requested_at: iso(at) });
    return this.getSubscription(subscriptionId);
  }

  async recordSyncOutcome(outcome: SyncOutcome): Promise<void> {
    const finishedAt = iso(outcome.finishedAt);
    await this.db('subscriptions')
      .where({ subscription_id: outcome.subscriptionId })
      .update({
        last_sync_status: outcome.status,
        last_sync_finished_at: finishedAt,
        last_sync_error: outcome.status === 'failed' ? outcome.error : null,
        ...(outcome.status === 'succeeded'
          ? {
              resource_count: outcome.resourceCount,
              last_successful_sync_at: finishedAt,
              ...(outcome.displayName
                ? { display_name: outcome.displayName }
                : {}),
              tags: outcome.tags ? JSON.stringify(outcome.tags) : null,
            }
          : {}),
        updated_at: finishedAt,
        // A request made while this sync ran stays, and asks for another run.
        sync_requested_at: this.db.raw(
          'case when sync_requested_at <= ? then null else sync_requested_at end',
          [iso(outcome.startedAt)],
        ),
      });
  }

  async recordAccessProblem(
    target: AccessTarget,
    observation: AccessObservation,
  ): Promise<AzureAccessStatus | undefined> {
    const { table, where } = accessRow(target);
    const at = iso(observation.at);
    return this.db.transaction(async tx => {
      const row: AccessColumns | undefined = await tx(table)
        .where(where)
        .first(...ACCESS_COLUMN_NAMES, 'access_attempts');
      if (!row) return undefined;
      const same = row.access_problem === observation.problem;
      const previousAttempts = same ? Number(row.access_attempts ?? 0) : 0;
      // Only a sync counts an attempt and moves the next one; a tag edit that meets the problem keeps both.
      const attempts = observation.retryDelayMs
        ? previousAttempts + 1
        : previousAttempts;
      let next = same ? row.access_next_attempt_at : null;
      if (observation.retryDelayMs) {
        next = iso(
          new Date(
            observation.at.getTime() + observation.retryDelayMs(attempts),
          ),
        );
      }
      const columns: AccessColumns = {
        access_problem: observation.problem,
        access_message: observation.message,
        // First seen: unchanged while the same problem persists.
        access_since: same && row.access_since ? row.access_since : at,
        access_checked_at: at,
        access_next_attempt_at: next,
        access_attempts: attempts,
      };
      await tx(table).where(where).update(columns);
      return toAccessStatus(columns);
    });
  }

  async clearAccessProblem(
    target: AccessTarget,
    options: { problems?: AzureAccessProblem[]; seenBefore?: Date } = {},
  ): Promise<boolean> {
    const { table, where } = accessRow(target);
    const query = this.db(table).where(where).whereNotNull('access_problem');
    if (options.problems) query.whereIn('access_problem', options.problems);
    if (options.seenBefore) {
      const seenBefore = iso(options.seenBefore);
      query.where(q =>
        q
          .whereNull('access_checked_at')
          .orWhere('access_checked_at', '<=', seenBefore),
      );
    }
    return (await query.update(NO_ACCESS_PROBLEM)) > 0;
  }

  async setUnregisteredSubscriptions(
    tenantId: string,
    subscriptions: Array<{ subscriptionId: string; displayName: string }>,
  ): Promise<void> {
    await this.db('tenants')
      .where({ tenant_id: tenantId })
      .update({
        unregistered_subscriptions:
          subscriptions.length > 0 ? JSON.stringify(subscriptions) : null,
      });
  }
}

/** The table and row of an access target. */
function accessRow(target: AccessTarget) {
  return 'subscriptionId' in target
    ? {
        table: 'subscriptions',
        where: { subscription_id: target.subscriptionId },
      }
    : { table: 'tenants', where: { tenant_id: target.tenantId } };
}
