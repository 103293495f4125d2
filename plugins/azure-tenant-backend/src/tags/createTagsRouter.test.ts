import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AzureEmulator,
  RequestLogEntry,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
import {
  AzureResourceRecord,
  AZURE_TENANT_EVENTS_TOPIC,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { grantPortalAccess } from '../__testUtils__/syncFixture';
import {
  azureWrites,
  createTagsFixture,
  TAG_WRITE_PATH,
} from './__testUtils__/tagsFixture';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

let emulator: AzureEmulator;
let stateDir: string;
/** Every Azure write of the whole suite, gathered before each reset. */
const suiteWrites: RequestLogEntry[] = [];

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-tenant-tags-'));
  emulator = await startAzureEmulator({
    port: 0,
    stateDir,
    throttling: { enabled: false },
  });
});

afterEach(() => {
  suiteWrites.push(...azureWrites(emulator.control.requests()));
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

/** The emulator's tags of a resource, read through its control API's view of the subscription. */
function azureTags(resourceId: string): Record<string, string> {
  // An empty edit returns the resource's tags without changing them.
  return emulator.control.editTags({ resourceId, set: {}, remove: [] });
}

describe.each(databases.eachSupportedId())('the tags API (%s)', databaseId => {
  let knex: Knex;
  let fixture: Awaited<ReturnType<typeof createTagsFixture>>;
  let resource: AzureResourceRecord;
  let others: AzureResourceRecord[];
  let logStart: number;

  const writesSinceStart = () =>
    azureWrites(emulator.control.requests(logStart));
  const patch = (body: unknown) =>
    request(fixture.app)
      .patch('/tags')
      .send(body as object);
  const getTags = (resourceId: string, live = false) =>
    request(fixture.app)
      .get('/tags')
      .query({ resourceId, ...(live ? { live: 'true' } : {}) });

  afterEach(() => releaseTestDatabase(knex));

  beforeEach(async () => {
    emulator.control.reset();
    grantPortalAccess(emulator, 'Reader');
    grantPortalAccess(emulator, 'Tag Contributor');
    knex = await databases.init(databaseId);
    fixture = await createTagsFixture(knex, emulator);
    const platform = await fixture.resourcesOf(fixture.subscriptions.platform);
    [resource, ...others] = platform;
    logStart = emulator.control.requests().at(-1)?.seq ?? 0;
  });

  const setMode = async (
    mode: 'none' | 'no-tags' | 'read-tags' | 'read-write-tags',
  ) =>
    fixture.store.setSyncMode(fixture.subscriptions.platform, mode, new Date());

  describe('GET /tags', () => {
    it('returns the synced tags, the portal-only ones, and that the owner may edit', async () => {
      const response = await getTags(resource.resourceId);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        resourceId: resource.resourceId,
        subscriptionId: fixture.subscriptions.platform,
        syncMode: 'read-write-tags',
        tags: resource.tags ?? {},
        portalTags: {},
        canEdit: true,
      });
      expect(response.body.liveTags).toBeUndefined();
    });

    it('reads the live tags from Azure on request', async () => {
      emulator.control.editTags({
        resourceId: resource.resourceId,
        set: { 'edited-in-azure': 'yes' },
      });
      const response = await getTags(resource.resourceId, true);
      expect(response.status).toBe(200);
      expect(response.body.liveTags['edited-in-azure']).toBe('yes');
      expect(response.body.tags['edited-in-azure']).toBeUndefined();
    });

    it('refuses whoever may not see the entity, without reading Azure', async () => {
      fixture.permission.read = false;
      emulator.control.clearRequests();
      const response = await getTags(resource.resourceId, true);
      expect(response.status).toBe(403);
      expect(response.body.tags).toBeUndefined();
      expect(emulator.control.requests()).toEqual([]);
    });

    it('says why a non-owner may not edit', async () => {
      fixture.permission.allow = false;
      const response = await getTags(resource.resourceId);
      expect(response.body.canEdit).toBe(false);
      expect(response.body.reason.code).toBe('permission');
    });

    it.each([
      ['no-tags', 'No Tags'],
      ['none', 'No Resources'],
    ] as const)(
      'says that the mode %s forbids edits, and hides tag values',
      async (mode, title) => {
        await setMode(mode);
        const response = await getTags(resource.resourceId, true);
        expect(response.body.canEdit).toBe(false);
        expect(response.body.reason.code).toBe('sync-mode');
        expect(response.body.reason.message).toContain(title);
        expect(response.body.tags).toBeUndefined();
        expect(response.body.liveTags).toBeUndefined();
      },
    );
  });

  describe('PATCH /tags under read-write-tags', () => {
    it('writes only the changed keys to Azure, stores the answer with a new revision, and announces it', async () => {
      const before = emulator.control.editTags({
        resourceId: resource.resourceId,
        set: { Retired: 'soon' },
      });
      const response = await patch({
        resourceId: resource.resourceId,
        set: { 'cost-center': '4711' },
        remove: ['retired'],
        expected: { 'cost-center': null },
      });
      expect(response.status).toBe(200);
      expect(response.body.outcome).toBe('written');
      const after = azureTags(resource.resourceId);
      expect(after['cost-center']).toBe('4711');
      expect(after.Retired).toBeUndefined();
      expect(response.body.tags).toEqual(after);

      const stored = await fixture.tags.getResource(resource.resourceId);
      expect(stored!.tags).toEqual(after);
      expect(stored!.revision).toBeGreaterThan(resource.revision);
      // The catalog feed carries the change at its new revision.
      const changes = await fixture.resources.listChanges({
        after: stored!.revision - 1,
        limit: 10,
      });
      expect(changes.changed).toEqual([
        expect.objectContaining({
          resourceId: resource.resourceId,
          tags: after,
          revision: stored!.revision,
        }),
      ]);
      expect(fixture.events.published).toEqual([
        {
          topic: AZURE_TENANT_EVENTS_TOPIC,
          eventPayload: {
            type: 'resources-changed',
            subscriptionId: fixture.subscriptions.platform,
            revision: stored!.revision,
          },
        },
      ]);

      const writes = writesSinceStart();
      expect(writes).toHaveLength(2);
      for (const write of writes) {
        expect(write.method).toBe('PATCH');
        expect(write.path).toMatch(TAG_WRITE_PATH);
      }
      const [audit] = fixture.auditor.events;
      expect(audit).toMatchObject({
        eventId: 'tags-update',
        outcome: 'success',
        meta: { resourceId: resource.resourceId },
        resultMeta: { outcome: 'written', before, after },
      });
    });

    it('sends nothing when every tag already has the asked value and spelling', async () => {
      emulator.control.editTags({
        resourceId: resource.resourceId,
        set: { env: 'prod' },
      });
      // (Another spelling, `ENV`, is a change: Azure keeps the spelling a Merge gives. See tagCaseRename.test.ts.)
      const response = await patch({
        resourceId: resource.resourceId,
        set: { env: 'prod' },
        remove: ['not-there'],
      });
      expect(response.status).toBe(200);
      expect(response.body.outcome).toBe('unchanged');
      expect(writesSinceStart()).toEqual([]);
    });

    it('answers 409 with the current values after an edit in Azure, and writes nothing', async () => {
      emulator.control.editTags({
        resourceId: resource.resourceId,
        set: { env: 'staging' },
      });
      const response = await patch({
        resourceId: resource.resourceId,
        set: { env: 'prod', team: 'a' },
        expected: { env: 'dev', team: null },
      });
      expect(response.status).toBe(409);
      expect(response.body.error.name).toBe('ConflictError');
      // The message names each changed tag with its value now: an action's caller gets only the message.
      expect(response.body.error.message).toContain("'env' (now 'staging')");
      expect(response.body.error.message).not.toContain("'team'");
      expect(response.body.current).toEqual({ env: 'staging', team: null });
      expect(response.body.tags.env).toBe('staging');
      expect(writesSinceStart()).toEqual([]);
      expect(azureTags(resource.resourceId).env).toBe('staging');
      expect(fixture.auditor.events[0]).toMatchObject({
        outcome: 'fail',
        resultMeta: { outcome: 'conflict' },
      });
    });

    it('keeps a tag that another user added in Azure at the same moment', async () => {
      const seen = (await getTags(resource.resourceId, true)).body.liveTags;
      // Someone adds a tag in the Azure portal after the editor read the tags.
      emulator.control.editTags({
        resourceId: resource.resourceId,
        set: { 'added-in-azure': 'by-bob' },
      });
      const response = await patch({
        resourceId: resource.resourceId,
        set: { 'cost-center': '4711' },
        expected: { 'cost-center': seen['cost-center'] ?? null },
      });
      expect(response.status).toBe(200);
      const after = azureTags(resource.resourceId);
      expect(after).toMatchObject({
        'added-in-azure': 'by-bob',
        'cost-center': '4711',
      });
      const stored = await fixture.tags.getResource(resource.resourceId);
      expect(stored!.tags).toEqual(after);
    });

    it('answers 403 for a non-owner and writes nothing', async () => {
      fixture.permission.allow = false;
      const response = await patch({
        resourceId: resource.resourceId,
        set: { 'cost-center': '4711' },
      });
      expect(response.status).toBe(403);
      expect(fixture.authorize).toHaveBeenCalledWith(
        [
          expect.objectContaining({
            resourceRef: expect.stringMatching(/^resource:/),
          }),
        ],
        expect.anything(),
      );
      expect(writesSinceStart()).toEqual([]);
      expect(fixture.auditor.events[0].outcome).toBe('fail');
    });
  });

  describe('validation', () => {
    const long = (n: number) => 'x'.repeat(n);
    it.each([
      ['a name longer than 512 characters', { [long(513)]: 'v' }, long(513)],
      ['a value longer than 256 characters', { big: long(257) }, 'big'],
      ['< in a name', { 'a<b': 'v' }, 'a<b'],
      ['> in a name', { 'a>b': 'v' }, 'a>b'],
      ['% in a name', { 'a%b': 'v' }, 'a%b'],
      ['& in a name', { 'a&b': 'v' }, 'a&b'],
      ['\\ in a name', { 'a\\b': 'v' }, 'a\\b'],
      ['? in a name', { 'a?b': 'v' }, 'a?b'],
      ['/ in a name', { 'a/b': 'v' }, 'a/b'],
      ['an empty name', { '': 'v' }, ''],
      ['names equal but for case', { Team: 'a', team: 'b' }, 'team'],
    ])('refuses %s with a 400 naming the tag', async (_rule, set, tag) => {
      const response = await patch({ resourceId: resource.resourceId, set });
      expect(response.status).toBe(400);
      expect(response.body.problems.map((p: any) => p.tag)).toContain(tag);
      expect(response.body.error.message).toContain(`'${tag}'`);
      expect(writesSinceStart()).toEqual([]);
    });

    it('refuses more than 50 tags after the change, counting the tags in Azure', async () => {
      const current = azureTags(resource.resourceId);
      const room = 50 - Object.keys(current).length;
      const set = Object.fromEntries(
        Array.from({ length: room + 1 }, (_, i) => [`bulk-${i}`, 'v']),
      );
      const response = await patch({ resourceId: resource.resourceId, set });
      expect(response.status).toBe(400);
      expect(response.body.problems[0].code).toBe('too-many-tags');
      expect(response.body.error.message).toContain(`'bulk-${room}'`);
      expect(writesSinceStart()).toEqual([]);
    });

    it.each([
      [
        'an unknown resource',
        (r: AzureResourceRecord) => `${r.resourceId}-gone`,
        404,
      ],
      [
        'a resource of a subscription that is not onboarded',
        (r: AzureResourceRecord) =>
          r.resourceId.replace(
            r.subscriptionId,
            '00000000-0000-4000-8000-000000000000',
          ),
        404,
      ],
      [
        'a subscription',
        (r: AzureResourceRecord) => `/subscriptions/${r.subscriptionId}`,
        400,
      ],
      [
        'a resource group',
        (r: AzureResourceRecord) =>
          `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}`,
        400,
      ],
      [
        'a path with ..',
        (r: AzureResourceRecord) => `${r.resourceId}/../..`,
        400,
      ],
      [
        'a path with //',
        (r: AzureResourceRecord) =>
          r.resourceId.replace('/providers/', '//providers/'),
        400,
      ],
      [
        'a query string',
        (r: AzureResourceRecord) => `${r.resourceId}?api-version=1`,
        400,
      ],
      [
        'an encoded slash',
        (r: AzureResourceRecord) => r.resourceId.replace(/\/([^/]+)$/, '%2F$1'),
        400,
      ],
    ])('refuses %s, writing nothing', async (_case, idOf, status) => {
      const resourceId = idOf(resource);
      const response = await patch({ resourceId, set: { a: 'b' } });
      expect(response.status).toBe(status);
      expect(writesSinceStart()).toEqual([]);
      expect((await getTags(resourceId)).status).toBe(status);
    });
  });

  describe('PATCH /tags under the other modes', () => {
    it('keeps the change as portal-only tags under read-tags, never calling Azure', async () => {
      await setMode('read-tags');
      const azureBefore = azureTags(resource.resourceId);
      const response = await patch({
        resourceId: resource.resourceId,
        set: { 'cost-center': '4711' },
        expected: { 'cost-center': azureBefore['cost-center'] ?? null },
      });
      expect(response.status).toBe(200);
      expect(response.body.outcome).toBe('portal-only');
      expect(response.body.portalTags).toEqual({ 'cost-center': '4711' });
      expect(azureTags(resource.resourceId)).toEqual(azureBefore);
      expect(
        emulator.control
          .requests(logStart)
          .filter(r => r.path.includes('/Microsoft.Resources/tags')),
      ).toEqual([]);
      const stored = await fixture.tags.getResource(resource.resourceId);
      expect(stored!.portalTags).toEqual({ 'cost-center': '4711' });
      expect(stored!.revision).toBeGreaterThan(resource.revision);
      expect((await getTags(resource.resourceId)).body.portalTags).toEqual({
        'cost-center': '4711',
      });

      const removed = await patch({
        resourceId: resource.resourceId,
        remove: ['Cost-Center'],
        expected: { 'cost-center': '4711' },
      });
      expect(removed.status).toBe(200);
      expect(removed.body.portalTags).toEqual({});
      expect(writesSinceStart()).toEqual([]);
    });

    it.each([
      ['no-tags', 'No Tags'],
      ['none', 'No Resources'],
    ] as const)(
      'answers 409 under %s, naming the mode and who can change it',
      async (mode, title) => {
        await setMode(mode);
        const response = await patch({
          resourceId: resource.resourceId,
          set: { 'cost-center': '4711' },
        });
        expect(response.status).toBe(409);
        expect(response.body.error.message).toContain(title);
        expect(response.body.error.message).toContain(
          'azure-tenant.subscription.manage',
        );
        expect(writesSinceStart()).toEqual([]);
        expect(fixture.auditor.events[0].outcome).toBe('fail');
      },
    );
  });

  describe('tag names that are names of Object members', () => {
    // Azure allows them all; `__proto__` was dropped with 200 `unchanged` (issue 12).
    const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const valued = (suffix: string) =>
      Object.fromEntries(NAMES.map(name => [name, `${name}-${suffix}`]));
    const expectHeld = (
      tags: Record<string, string> | undefined,
      suffix: string,
    ) => {
      for (const name of NAMES) {
        expect(Object.prototype.hasOwnProperty.call(tags, name)).toBe(true);
        expect(tags![name]).toBe(`${name}-${suffix}`);
      }
    };
    const expectNone = (tags: Record<string, string> | undefined) => {
      for (const name of NAMES) {
        expect(Object.keys(tags ?? {})).not.toContain(name);
      }
    };

    it('writes them to Azure, stores them, shows them in GET /tags and the feed, keeps them through a sync, and removes them', async () => {
      const response = await patch({
        resourceId: resource.resourceId,
        set: valued('a'),
        expected: Object.fromEntries(NAMES.map(name => [name, null])),
      });
      expect(response.status).toBe(200);
      expect(response.body.outcome).toBe('written');
      expectHeld(response.body.tags, 'a');
      expectHeld(emulator.control.getTags(resource.resourceId), 'a');

      const stored = await fixture.tags.getResource(resource.resourceId);
      expectHeld(stored!.tags, 'a');
      const changes = await fixture.resources.listChanges({
        after: stored!.revision - 1,
        limit: 10,
      });
      expectHeld(changes.changed[0].tags, 'a');
      expectHeld((await getTags(resource.resourceId)).body.tags, 'a');
      expectHeld((await getTags(resource.resourceId, true)).body.liveTags, 'a');

      // A sync reads them back from ARM's resource list and keeps them.
      await fixture.store.requestSync(
        fixture.subscriptions.platform,
        new Date(),
      );
      await fixture.service.syncDue();
      expectHeld(
        (await fixture.tags.getResource(resource.resourceId))!.tags,
        'a',
      );

      const changed = await patch({
        resourceId: resource.resourceId,
        set: valued('b'),
        expected: valued('a'),
      });
      expect(changed.status).toBe(200);
      expectHeld(changed.body.tags, 'b');

      const removed = await patch({
        resourceId: resource.resourceId,
        remove: NAMES,
        expected: valued('b'),
      });
      expect(removed.status).toBe(200);
      expect(removed.body.outcome).toBe('written');
      expectNone(removed.body.tags);
      expectNone(emulator.control.getTags(resource.resourceId));
      expectNone((await fixture.tags.getResource(resource.resourceId))!.tags);
    });

    it('answers 409 with their current values when Azure changed them', async () => {
      emulator.control.editTags({
        resourceId: resource.resourceId,
        set: valued('azure'),
      });
      const response = await patch({
        resourceId: resource.resourceId,
        set: valued('mine'),
        expected: Object.fromEntries(NAMES.map(name => [name, null])),
      });
      expect(response.status).toBe(409);
      expectHeld(response.body.current, 'azure');
      expect(writesSinceStart()).toEqual([]);
    });

    it('keeps them as portal-only tags under read-tags', async () => {
      await setMode('read-tags');
      const response = await patch({
        resourceId: resource.resourceId,
        set: valued('portal'),
      });
      expect(response.status).toBe(200);
      expect(response.body.outcome).toBe('portal-only');
      expectHeld(response.body.portalTags, 'portal');
      expectHeld(
        (await fixture.tags.getResource(resource.resourceId))!.portalTags,
        'portal',
      );
      expectHeld(
        (await getTags(resource.resourceId)).body.portalTags,
        'portal',
      );
      expectNone(emulator.control.getTags(resource.resourceId));
    });
  });

  describe('after the sync removed the resources of a subscription in mode none', () => {
    beforeEach(async () => {
      await setMode('none');
      await fixture.store.requestSync(
        fixture.subscriptions.platform,
        new Date(),
      );
      await fixture.service.syncDue();
    });

    it('PATCH /tags answers 409 naming the mode and what to do, not 404', async () => {
      expect(
        await fixture.tags.getResource(resource.resourceId),
      ).toBeUndefined();
      const response = await patch({
        resourceId: resource.resourceId,
        set: { 'cost-center': '4711' },
      });
      expect(response.status).toBe(409);
      expect(response.body.error.message).toContain('No Resources (none)');
      expect(response.body.error.message).toContain(
        'can change the sync mode on the Azure tenants page',
      );
      expect(writesSinceStart()).toEqual([]);
    });

    it('POST /tags/bulk answers 409 for each of its resources', async () => {
      const response = await request(fixture.app)
        .post('/tags/bulk')
        .send({
          resourceIds: [resource.resourceId, others[0].resourceId],
          set: { 'cost-center': '4711' },
        });
      expect(response.status).toBe(200);
      expect(response.body.failed).toBe(2);
      for (const item of response.body.results) {
        expect(item.status).toBe(409);
        expect(item.error.message).toContain('No Resources (none)');
      }
      expect(writesSinceStart()).toEqual([]);
    });
  });

  describe('POST /tags/bulk', () => {
    it('applies the change to each resource and reports each, a failure hiding none', async () => {
      const targets = others.slice(0, 3).map(r => r.resourceId);
      const unknown = `${targets[0]}-gone`;
      const response = await request(fixture.app)
        .post('/tags/bulk')
        .send({
          resourceIds: [targets[0], unknown, ...targets.slice(1)],
          set: { 'cost-center': '4711' },
        });
      expect(response.status).toBe(200);
      expect(response.body.succeeded).toBe(3);
      expect(response.body.failed).toBe(1);
      expect(
        response.body.results.map((r: any) => [r.resourceId, r.status]),
      ).toEqual([
        [targets[0], 200],
        [unknown, 404],
        [targets[1], 200],
        [targets[2], 200],
      ]);
      for (const id of targets) {
        expect(azureTags(id)['cost-center']).toBe('4711');
        expect((await fixture.tags.getResource(id))!.tags!['cost-center']).toBe(
          '4711',
        );
      }
      expect(fixture.auditor.events).toHaveLength(4);
    });

    it('refuses the resources the caller may not edit, and edits the others', async () => {
      const targets = others.slice(0, 2).map(r => r.resourceId);
      fixture.authorize.mockImplementationOnce(
        async (requests: unknown[]) =>
          requests.map((_, i) => ({
            result: i === 0 ? 'DENY' : 'ALLOW',
          })) as any,
      );
      const response = await request(fixture.app)
        .post('/tags/bulk')
        .send({ resourceIds: targets, set: { team: 'x' } });
      expect(response.body.results.map((r: any) => r.status)).toEqual([
        403, 200,
      ]);
      expect(azureTags(targets[0]).team).not.toBe('x');
      expect(azureTags(targets[1]).team).toBe('x');
    });
  });
});

describe('the Azure writes of the whole suite', () => {
  it('are tag changes at a resource and nothing else', () => {
    suiteWrites.push(...azureWrites(emulator.control.requests()));
    expect(suiteWrites.length).toBeGreaterThan(0);
    const other = suiteWrites.filter(
      w =>
        !(['PATCH', 'PUT'].includes(w.method) && TAG_WRITE_PATH.test(w.path)),
    );
    expect(other).toEqual([]);
  });
});
