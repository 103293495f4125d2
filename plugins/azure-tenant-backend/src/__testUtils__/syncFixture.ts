import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { EventParams, EventsService } from '@backstage/plugin-events-node';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
} from '@azure-tenant/azure-emulator';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { AzureConnection } from '../azure/azureConnection';
import { readAzureTenantConfig } from '../config/AzureTenantConfig';
import { DatabaseAzureTenantStore } from '../database/DatabaseAzureTenantStore';
import { migrateDatabase } from '../database/migrations';
import { DatabaseResourceStore } from '../database/DatabaseResourceStore';
import { ResourceSyncer } from '../sync/ResourceSyncer';
import { ResourceSyncService } from '../sync/ResourceSyncService';
import { readSyncConfig } from '../sync/SyncConfig';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';

/** The demo fixture's subscriptions. */
export { DEMO_SUBSCRIPTIONS };

/** Consents the demo app in the demo tenant and gives its service principal a role on each demo subscription. */
export function grantPortalAccess(
  emulator: AzureEmulator,
  role = 'Reader',
): string {
  const principal = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
  for (const subscriptionId of Object.values(DEMO_SUBSCRIPTIONS)) {
    emulator.control.assignRole({
      scope: `/subscriptions/${subscriptionId}`,
      principalId: principal.objectId,
      role,
    });
  }
  return principal.objectId;
}

/** An events service that records what is published. */
export function recordingEvents(): EventsService & {
  published: EventParams[];
} {
  const published: EventParams[] = [];
  return {
    published,
    publish: async params => {
      published.push(params);
    },
    subscribe: async () => {},
  };
}

/**
 * The sync's parts on a test database, talking to the emulator, with the three demo subscriptions registered as if
 * declared in config.
 */
export async function createSyncFixture(
  knex: Knex,
  emulator: AzureEmulator,
  sync: JsonObject = {},
) {
  const config = new ConfigReader({
    app: { baseUrl: 'http://localhost:3000' },
    backend: { baseUrl: 'http://localhost:7007' },
    azureTenant: {
      ...emulatorConnectionConfig(emulator),
      sync,
    },
  });
  await migrateDatabase(knex);
  const store = new DatabaseAzureTenantStore(knex);
  const resources = new DatabaseResourceStore(knex);
  const syncConfig = readSyncConfig(config);
  const events = recordingEvents();
  const syncer = new ResourceSyncer({
    connection: new AzureConnection(readAzureTenantConfig(config)!),
    store: resources,
    config: syncConfig,
    logger: mockServices.logger.mock(),
  });
  const service = new ResourceSyncService({
    store,
    syncer,
    scheduler: mockServices.scheduler.mock(),
    events,
    config: syncConfig,
    logger: mockServices.logger.mock(),
  });
  const at = new Date();
  await store.register(
    { tenantId: DEMO_TENANT.id, source: 'config', at },
    Object.values(DEMO_SUBSCRIPTIONS).map(subscriptionId => ({
      subscriptionId,
      tenantId: DEMO_TENANT.id,
      displayName: subscriptionId,
      source: 'config' as const,
      grantedRoles: [],
      roleStatus: 'unknown' as const,
      initialSyncMode: 'read-write-tags' as const,
      at,
    })),
  );
  return { store, resources, events, syncer, service };
}
