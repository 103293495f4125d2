import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AzureEmulator,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
import {
  createSyncFixture,
  grantPortalAccess,
} from '../__testUtils__/syncFixture';
import { resourceContentHash } from './resourceContentHash';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
let emulator: AzureEmulator;
let stateDir: string;

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-tenant-hash-'));
  emulator = await startAzureEmulator({
    port: 0,
    stateDir,
    throttling: { enabled: false },
  });
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
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
          key: row.resource_key,
          resourceId: row.resource_id,
          subscriptionId: row.subscription_id,
          tenantId: row.tenant_id,
          resourceGroup: row.resource_group,
          name: row.name,
          type: row.type,
          location: row.location ?? undefined,
          kind: row.kind ?? undefined,
          tags: row.tags ? JSON.parse(row.tags) : undefined,
          createdTime: row.created_time ?? undefined,
          changedTime: row.changed_time ?? undefined,
        }),
      ).toBe(row.content_hash);
    }
  });
});
