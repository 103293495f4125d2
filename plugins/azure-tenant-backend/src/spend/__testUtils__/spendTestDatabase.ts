import { SyncMode } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { DatabaseAzureTenantStore } from '../../database/DatabaseAzureTenantStore';
import { migrateDatabase } from '../../database/migrations';

/** The demo fixture's subscriptions. */
export const PLATFORM = '3f8c2a41-6d7e-4b59-9c1a-2e5f7d8b9a01';
export const PAYMENTS = '8d4e1b72-5a3c-4f6e-b2d9-7c1e3a5f9b02';
export const DATA_EUROPE = 'c5a7e3d9-1f2b-4c8a-9e6d-4b3a2c1d0e03';
export const TENANT = '7f3a1c52-9a8e-4c1b-8f0e-2d6b5a9c4e11';

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
