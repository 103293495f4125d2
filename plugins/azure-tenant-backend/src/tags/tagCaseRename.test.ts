import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import { AzureEmulator } from '@azure-tenant/azure-emulator';
import { AzureResourceRecord } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { grantPortalAccess } from '../__testUtils__/syncFixture';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { startTestEmulator } from '../__testUtils__/testEmulator';
import {
  azureWrites,
  createTagsFixture,
  TAG_WRITE_PATH,
} from './__testUtils__/tagsFixture';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

describe.each(databases.eachSupportedId())(
  'PATCH /tags renaming a key to another case (%s)',
  databaseId => {
    let knex: Knex;
    let fixture: Awaited<ReturnType<typeof createTagsFixture>>;
    let resource: AzureResourceRecord;
    let logStart: number;

    afterEach(() => releaseTestDatabase(knex));

    beforeEach(async () => {
      emulator.control.reset();
      grantPortalAccess(emulator, 'Reader');
      grantPortalAccess(emulator, 'Tag Contributor');
      knex = await databases.init(databaseId);
      fixture = await createTagsFixture(knex, emulator);
      [resource] = await fixture.resourcesOf(fixture.subscriptions.platform);
      // Someone spelled the key `Owner` in the Azure portal; the next sync keeps that spelling.
      emulator.control.editTags({
        resourceId: resource.resourceId,
        remove: ['owner'],
        set: { Owner: 'platform' },
      });
      await fixture.store.requestSync(
        fixture.subscriptions.platform,
        new Date(),
      );
      await fixture.service.syncDue();
      logStart = emulator.control.requests().at(-1)?.seq ?? 0;
    });

    const rename = () =>
      request(fixture.app)
        .patch('/tags')
        .send({
          resourceId: resource.resourceId,
          set: { owner: 'platform' },
          expected: { owner: 'platform' },
        });

    it('sends a Merge with the new spelling under read-write-tags, and stores what Azure answers', async () => {
      const synced = await fixture.tags.getResource(resource.resourceId);
      expect(synced!.tags).toMatchObject({ Owner: 'platform' });
      const response = await rename();
      expect(response.status).toBe(200);
      expect(response.body.outcome).toBe('written');
      expect(response.body.tags.owner).toBe('platform');
      expect(response.body.tags.Owner).toBeUndefined();

      const inAzure = emulator.control.getTags(resource.resourceId);
      expect(inAzure.owner).toBe('platform');
      expect(Object.keys(inAzure)).not.toContain('Owner');
      const writes = azureWrites(emulator.control.requests(logStart));
      expect(writes).toHaveLength(1);
      expect(writes[0].method).toBe('PATCH');
      expect(writes[0].path).toMatch(TAG_WRITE_PATH);

      const stored = await fixture.tags.getResource(resource.resourceId);
      expect(stored!.tags!.owner).toBe('platform');
      expect(Object.keys(stored!.tags!)).not.toContain('Owner');
    });

    it('keeps the new spelling as a portal tag under read-tags, never calling Azure', async () => {
      await fixture.store.setSyncMode(
        fixture.subscriptions.platform,
        'read-tags',
        new Date(),
      );
      const response = await rename();
      expect(response.status).toBe(200);
      expect(response.body.outcome).toBe('portal-only');
      expect(response.body.portalTags).toEqual({ owner: 'platform' });
      expect(azureWrites(emulator.control.requests(logStart))).toEqual([]);
      expect(emulator.control.getTags(resource.resourceId).Owner).toBe(
        'platform',
      );
      const stored = await fixture.tags.getResource(resource.resourceId);
      expect(stored!.portalTags).toEqual({ owner: 'platform' });
    });

    it('still sends nothing when the spelling and the value are the same', async () => {
      await rename();
      const since = emulator.control.requests().at(-1)?.seq ?? 0;
      const again = await rename();
      expect(again.status).toBe(200);
      expect(again.body.outcome).toBe('unchanged');
      expect(azureWrites(emulator.control.requests(since))).toEqual([]);
    });
  },
);
