import { DEMO_SUBSCRIPTIONS, DEMO_TENANT } from '@azure-tenant/azure-emulator';
import { SyncMode } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { DatabaseAzureTenantStore } from '../../database/DatabaseAzureTenantStore';
import { migrateDatabase } from '../../database/migrations';

/** The demo fixture's subscriptions. */
export const PLATFORM = DEMO_SUBSCRIPTIONS.platform;
export const PAYMENTS = DEMO_SUBSCRIPTIONS.payments;
export const DATA_EUROPE = DEMO_SUBSCRIPTIONS.dataEurope;
export const TENANT = DEMO_TENANT.id;

/** Runs the plugin's migrations and registers the tenant and the given subscriptions, through the tenant store. */
export async function prepareSpendDatabase(
  knex: Knex,
  subscriptions: Array<{ subscriptionId: string; syncMode?: string }>,
) {
  await migrateDatabase(knex);
  await new DatabaseAzureTenantStore(knex).register(
    {
      tenantId: TENANT,
      displayName: 'Contoso Demo',
      source: 'config',
      at: new Date(),
    },
    [],
  );
  for (const { subscriptionId, syncMode } of subscriptions) {
    await prepareSubscription(knex, subscriptionId, syncMode);
  }
}

/** Registers one subscription of the demo tenant (registered by {@link prepareSpendDatabase}). */
export async function prepareSubscription(
  knex: Knex,
  subscriptionId: string,
  syncMode = 'read-write-tags',
) {
  const at = new Date();
  await new DatabaseAzureTenantStore(knex).register(
    { tenantId: TENANT, source: 'config', at },
    [
      {
        subscriptionId,
        tenantId: TENANT,
        displayName: subscriptionId,
        source: 'config',
        grantedRoles: [],
        roleStatus: 'unknown',
        initialSyncMode: syncMode as SyncMode,
        at,
      },
    ],
  );
}
