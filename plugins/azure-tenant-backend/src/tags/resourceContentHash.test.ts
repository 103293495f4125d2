import { TestDatabases } from '@backstage/backend-test-utils';
import { AzureEmulator } from '@azure-tenant/azure-emulator';
import {
  createSyncFixture,
  grantPortalAccess,
} from '../__testUtils__/syncFixture';
import {
  ResourceHashInput,
  resourceContentHash,
  timeMs,
} from './resourceContentHash';
import { startTestEmulator } from '../__testUtils__/testEmulator';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

describe('resourceContentHash', () => {
  it('gives the hash the sync stores, so a tag write does not make the next sync rewrite an unchanged row', async () => {
    grantPortalAccess(emulator);
    const knex = await databases.init('SQLITE_3');
    const fixture = await createSyncFixture(knex, emulator);
    await fixture.service.syncDue();
    const rows = await knex('resources').select();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(
        resourceContentHash({
          resourceId: row.resource_id,
          tenantId: row.tenant_id,
          name: row.name,
          type: row.type,
          location: row.location ?? undefined,
          kind: row.kind ?? undefined,
          tags: row.tags ? JSON.parse(row.tags) : undefined,
          createdTimeMs: timeMs(row.created_time),
          changedTimeMs: timeMs(row.changed_time),
        }),
      ).toBe(row.content_hash);
    }
  });
});

describe('resourceContentHash of fields', () => {
  const base = {
    resourceId:
      '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Web/sites/app',
    tenantId: 'tenant',
    name: 'app',
    type: 'Microsoft.Web/sites',
    location: 'westeurope',
    kind: 'app',
    tags: { env: 'prod', owner: 'platform' },
    createdTimeMs: Date.parse('2026-01-02T03:04:05.678Z'),
    changedTimeMs: Date.parse('2026-02-03T04:05:06.789Z'),
  };

  it('does not depend on the order of the tags', () => {
    expect(
      resourceContentHash({
        ...base,
        tags: { owner: 'platform', env: 'prod' },
      }),
    ).toBe(resourceContentHash(base));
  });

  it('changes with every field the sync stores', () => {
    const hash = resourceContentHash(base);
    const variants: Array<Partial<ResourceHashInput>> = [
      { resourceId: `${base.resourceId}2` },
      { tenantId: 'other' },
      { name: 'App' },
      { type: 'Microsoft.Web/Sites' },
      { location: 'northeurope' },
      { location: undefined },
      { kind: undefined },
      { tags: { env: 'prod' } },
      { tags: { env: 'prod', owner: 'Platform' } },
      { tags: {} },
      { tags: undefined },
      { createdTimeMs: base.createdTimeMs + 1 },
      { changedTimeMs: undefined },
    ];
    const hashes = variants.map(v => resourceContentHash({ ...base, ...v }));
    for (const other of hashes) expect(other).not.toBe(hash);
    expect(new Set(hashes).size).toBe(variants.length);
  });

  it('cannot be fooled by moving text from one field or tag to the next', () => {
    expect(resourceContentHash({ ...base, tags: { ab: 'c' } })).not.toBe(
      resourceContentHash({ ...base, tags: { a: 'bc' } }),
    );
    expect(resourceContentHash({ ...base, name: 'ab', kind: 'c' })).not.toBe(
      resourceContentHash({ ...base, name: 'a', kind: 'bc' }),
    );
  });

  it('reads stored ISO times the way the sync reads Azure’s', () => {
    expect(timeMs('2026-01-02T03:04:05.678Z')).toBe(base.createdTimeMs);
    expect(timeMs(null)).toBeUndefined();
    expect(timeMs('not a time')).toBeUndefined();
  });
});
