import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { AzureEmulator, DEMO_TENANT } from '@azure-tenant/azure-emulator';
import {
  createSyncFixture,
  DEMO_SUBSCRIPTIONS,
  grantPortalAccess,
} from '../__testUtils__/syncFixture';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { readSyncConfig } from '../sync/SyncConfig';
import { ResourceSyncer } from '../sync/ResourceSyncer';
import { ResourceSyncService } from '../sync/ResourceSyncService';
import { createAzureTagsClient } from '../tags/azureTagsClient';
import { TagService } from '../tags/TagService';
import { emulatorConnection } from '../tags/__testUtils__/tagsFixture';
import { ConfigReader } from '@backstage/config';
import { AzureTenantMetrics } from './azureTenantMetrics';
import { recordingMetricsService } from './__testUtils__/recordingMetricsService';
import { startTestEmulator } from '../__testUtils__/testEmulator';

jest.setTimeout(60_000);

// What operators see is not a database behaviour: one database is enough here.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const { platform, payments } = DEMO_SUBSCRIPTIONS;
const tenant = DEMO_TENANT.id.toLowerCase();

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

/** The sync's parts of the fixture, measured by the plugin's metrics. */
async function measuredFixture(knex: Knex) {
  const fixture = await createSyncFixture(knex, emulator);
  const recorded = recordingMetricsService();
  const metrics = new AzureTenantMetrics(recorded.service);
  const connection = emulatorConnection(emulator);
  const config = readSyncConfig(new ConfigReader({}));
  const service = new ResourceSyncService({
    store: fixture.store,
    syncer: new ResourceSyncer({
      connection,
      store: fixture.resources,
      config,
      logger: mockServices.logger.mock(),
      metrics,
    }),
    scheduler: mockServices.scheduler.mock(),
    events: fixture.events,
    config,
    logger: mockServices.logger.mock(),
    metrics,
  });
  const tags = new TagService({
    store: fixture.store,
    tags: fixture.resources,
    azure: createAzureTagsClient({ connection, metrics }),
    events: fixture.events,
    logger: mockServices.logger.mock(),
    metrics,
  });
  return { ...fixture, service, tags, recorded };
}

const resourcesPath = (subscriptionId: string) =>
  `^/subscriptions/${subscriptionId}/resources$`;

describe('the metrics operators see', () => {
  let knex: Knex;
  let fixture: Awaited<ReturnType<typeof measuredFixture>>;

  beforeEach(async () => {
    emulator.control.reset();
    grantPortalAccess(emulator);
    knex = await databases.init('SQLITE_3');
    fixture = await measuredFixture(knex);
  });

  afterEach(async () => {
    await releaseTestDatabase(knex);
  });

  it('counts each subscription sync, its duration, and the resources read and written, per tenant', async () => {
    const reports = await fixture.service.syncDue();
    const { recorded } = fixture;

    const listed = reports.reduce((n, r) => n + r.resourceCount, 0);
    expect(listed).toBeGreaterThan(0);
    expect(
      recorded.sum('azure_tenant.resource_sync.runs', {
        tenant,
        outcome: 'succeeded',
      }),
    ).toBe(reports.length);
    expect(
      recorded.sum('azure_tenant.resource_sync.resources_read', { tenant }),
    ).toBe(listed);
    // The first sync stores every resource.
    expect(
      recorded.sum('azure_tenant.resource_sync.resources_written', { tenant }),
    ).toBe(listed);
    expect(
      recorded.values('azure_tenant.resource_sync.duration', { tenant }),
    ).toHaveLength(reports.length);

    // A second sync of one subscription reads again, and writes nothing: nothing changed in Azure.
    await fixture.store.requestSync(payments, new Date());
    await fixture.service.syncDue();
    expect(
      recorded.sum('azure_tenant.resource_sync.resources_written', { tenant }),
    ).toBe(listed);
    expect(
      recorded.sum('azure_tenant.resource_sync.resources_read', { tenant }),
    ).toBeGreaterThan(listed);
  });

  it('counts a 429 from ARM and the wait it named, and the sync still succeeds', async () => {
    emulator.control.injectFault({
      match: { method: 'GET', pathPattern: resourcesPath(platform) },
      status: 429,
      retryAfterSeconds: 1,
    });

    const reports = await fixture.service.syncDue();

    expect(reports.find(r => r.subscriptionId === platform)?.status).toBe(
      'succeeded',
    );
    expect(
      fixture.recorded.sum('azure_tenant.azure.throttled_requests', {
        tenant,
        api: 'arm',
      }),
    ).toBe(1);
    expect(
      fixture.recorded.values('azure_tenant.azure.throttle_wait', {
        tenant,
        api: 'arm',
        cause: 'retry-after',
      }),
    ).toEqual([1]);
  });

  it('counts failed syncs by reason: a removed Reader role, a request Azure refuses', async () => {
    emulator.control.injectFault({
      match: { method: 'GET', pathPattern: resourcesPath(platform) },
      status: 403,
      code: 'AuthorizationFailed',
      times: 0,
    });
    emulator.control.injectFault({
      match: { method: 'GET', pathPattern: resourcesPath(payments) },
      status: 400,
      code: 'InvalidSkipToken',
      times: 0,
    });

    await fixture.service.syncDue();

    const { recorded } = fixture;
    expect(
      recorded.sum('azure_tenant.resource_sync.failures', {
        tenant,
        reason: 'read-denied',
      }),
    ).toBe(1);
    expect(
      recorded.sum('azure_tenant.resource_sync.failures', {
        tenant,
        reason: 'bad-request',
      }),
    ).toBe(1);
    expect(
      recorded.sum('azure_tenant.resource_sync.runs', {
        tenant,
        outcome: 'failed',
      }),
    ).toBe(2);
  });

  it('counts tag changes by outcome, and conflicts', async () => {
    grantPortalAccess(emulator, 'Tag Contributor');
    await fixture.service.syncDue();
    const page = await fixture.resources.listResources({ limit: 5000 });
    const resource = page.items.find(r => r.subscriptionId === platform)!;

    await fixture.tags.update(resource.resourceId, {
      set: { 'metrics-probe': 'one' },
      remove: [],
      expected: {},
    });
    // The editor saw another value than Azure holds now: 409, nothing written.
    await expect(
      fixture.tags.update(resource.resourceId, {
        set: { 'metrics-probe': 'two' },
        remove: [],
        expected: { 'metrics-probe': null },
      }),
    ).rejects.toThrow(/changed since you read them/);

    const { recorded } = fixture;
    expect(
      recorded.sum('azure_tenant.tags.changes', { tenant, outcome: 'written' }),
    ).toBe(1);
    expect(
      recorded.sum('azure_tenant.tags.changes', {
        tenant,
        outcome: 'conflict',
      }),
    ).toBe(1);
    expect(recorded.sum('azure_tenant.tags.conflicts', { tenant })).toBe(1);
  });
});
