/*
 * Faults during tag writes (PATCH /tags and POST /tags/bulk), injected on Azure's tags API through the emulator.
 * Each persistent fault hits its own resource, all at once: no partial write may go unreported, the stored tags must
 * match Azure's afterwards, retries are counted in the emulator's log, and the same edit succeeds once the fault is
 * cleared.
 */
import request from 'supertest';
import { AzureEmulator, FaultSpec } from '@azure-tenant/azure-emulator';
import {
  asUser,
  backendConfig,
  testDatabaseConfig,
  FAULTS,
  grantPortalAccess,
  logMark,
  KitBackend,
  report,
  requestsSince,
  SDK_MAX_TRIES,
  startKitBackend,
  startTestEmulator,
  storedResources,
  waitForSucceededSyncs,
  SUBSCRIPTIONS,
} from '.';

jest.setTimeout(120_000);

let emulator: AzureEmulator;
let backend: KitBackend;
let resourceIds: string[];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const tagsPath = (resourceId: string) =>
  new RegExp(
    `^${escape(resourceId)}/providers/Microsoft\\.Resources/tags/default$`,
    'i',
  );
const faultOn = (
  resourceId: string,
  effect: Omit<FaultSpec, 'match'>,
): FaultSpec => ({
  match: {
    method: 'PATCH',
    pathPattern: `^${escape(
      resourceId,
    )}/providers/Microsoft\\.Resources/tags/default$`,
  },
  ...effect,
});

async function storedTags(resourceId: string) {
  const stored = await storedResources(backend.knex, SUBSCRIPTIONS.platform);
  return stored.get(resourceId.toLowerCase())?.tags ?? {};
}

const patch = (resourceId: string, key: string, value: string) =>
  request(backend.server)
    .patch('/api/azure-tenant/tags')
    .set('authorization', asUser)
    .send({ resourceId, set: { [key]: value }, expected: { [key]: null } });

beforeAll(async () => {
  emulator = await startTestEmulator();
  grantPortalAccess(emulator);
  backend = await startKitBackend(
    backendConfig(emulator, testDatabaseConfig('SQLITE_3', 'rel_tags')),
  );
  // The first scheduled sync brings the resources whose tags are edited.
  await waitForSucceededSyncs(backend.server, [SUBSCRIPTIONS.platform]);
  const rows = await backend
    .knex('resources')
    .where({ subscription_id: SUBSCRIPTIONS.platform })
    .orderBy('resource_key')
    .select('resource_id');
  // Azure's casing, which the API takes and the emulator's fault patterns match.
  resourceIds = rows.map((r: any) => r.resource_id);
  if (resourceIds.length !== 80) {
    throw new Error(`Expected 80 synced resources, got ${resourceIds.length}`);
  }
});

afterAll(async () => {
  await backend?.stop();
  await emulator?.stop();
});

/** Persistent faults (`times: 0`) until cleared: the edit must fail, and say so. */
const persistent = Object.entries(FAULTS).map(([name, effect], i) => ({
  name,
  effect: { ...effect, times: 0 },
  resourceIndex: i,
  // A malformed answer is not retried by the SDK; the others are, three times.
  maxPatches: effect.malformed ? 1 : SDK_MAX_TRIES,
}));

describe('tag writes under persistent faults', () => {
  it('fail with an error, retry a bounded number of times, leave the stored tags equal to Azure, and recover', async () => {
    const mark = logMark(emulator);
    const cases = persistent.map(c => ({
      ...c,
      resourceId: resourceIds[c.resourceIndex],
      key: `rel-${c.resourceIndex}`,
    }));
    for (const c of cases) {
      emulator.control.injectFault(faultOn(c.resourceId, c.effect));
    }
    // Meanwhile, on another resource, a 10-second stall within the client's per-try timeout (60 s by default).
    const stalled = resourceIds[21];
    emulator.control.injectFault(faultOn(stalled, { delayMs: 10_000 }));
    const stallStarted = Date.now();
    const stall = patch(stalled, 'rel-stall', 'x').then(response => ({
      response,
      ms: Date.now() - stallStarted,
    }));
    const started = Date.now();
    const responses = await Promise.all(
      cases.map(async c => {
        const t0 = Date.now();
        const response = await patch(c.resourceId, c.key, 'v1');
        return { response, ms: Date.now() - t0 };
      }),
    );
    const results = [];
    for (const [i, c] of cases.entries()) {
      const { response, ms } = responses[i];
      const patches = requestsSince(emulator, mark, {
        method: 'PATCH',
        path: tagsPath(c.resourceId),
      });
      // Reported: an error status with a message that says Azure did not apply it.
      expect({ fault: c.name, status: response.status }).toEqual({
        fault: c.name,
        status: 503,
      });
      expect(response.body.error.message).toMatch(
        c.effect.status === 429
          ? /^Azure refused the tag change on .*TooManyRequests/
          : /^Azure did not apply the change\. The portal shows Azure's current tags\./,
      );
      // Bounded retries.
      expect(patches.length).toBeGreaterThanOrEqual(1);
      expect(patches.length).toBeLessThanOrEqual(c.maxPatches);
      // Azure does not hold the tag, and neither does the portal.
      expect(emulator.control.getTags(c.resourceId)[c.key]).toBeUndefined();
      expect(await storedTags(c.resourceId)).toEqual(
        emulator.control.getTags(c.resourceId),
      );
      results.push({ c, status: response.status, ms, patches: patches.length });
    }
    const failedAfterMs = Date.now() - started;

    // The next edit recovers once the fault is gone.
    emulator.control.clearFaults();
    const recoveryMark = logMark(emulator);
    for (const c of cases) {
      const response = await patch(c.resourceId, c.key, 'v1');
      expect(response.status).toBe(200);
      expect(response.body.outcome).toBe('written');
      expect(emulator.control.getTags(c.resourceId)[c.key]).toBe('v1');
      expect(await storedTags(c.resourceId)).toEqual(
        emulator.control.getTags(c.resourceId),
      );
      expect(
        requestsSince(emulator, recoveryMark, {
          method: 'PATCH',
          path: tagsPath(c.resourceId),
        }),
      ).toHaveLength(1);
    }
    for (const r of results) {
      report({
        area: 'tag writes',
        fault: `${r.c.name} (persistent)`,
        requests: r.patches,
        retries: r.patches - 1,
        outcome: `HTTP ${r.status}, nothing written, stored = Azure`,
        ms: r.ms,
        recovery: '200 written, 1 PATCH',
      });
    }
    expect(failedAfterMs).toBeLessThan(30_000);

    // The stalled edit was waited out: one PATCH, written, stored as Azure holds it.
    const { response: stallResponse, ms: stallMs } = await stall;
    expect(stallResponse.status).toBe(200);
    expect(stallMs).toBeGreaterThanOrEqual(10_000);
    expect(
      requestsSince(emulator, mark, {
        method: 'PATCH',
        path: tagsPath(stalled),
      }),
    ).toHaveLength(1);
    expect(await storedTags(stalled)).toEqual(
      emulator.control.getTags(stalled),
    );
    report({
      area: 'tag writes',
      fault: '10 s stall (default 60 s per-try timeout)',
      requests: 1,
      retries: 0,
      outcome: `HTTP 200 after ${stallMs} ms`,
      recovery: 'same call',
    });
  });
});

describe('tag writes under transient faults', () => {
  it('succeed after one retry each: 429, 500, 503, reset (all at once)', async () => {
    const cases = Object.entries(FAULTS)
      .filter(([, effect]) => !effect.malformed)
      .map(([name, effect], i) => ({
        name,
        effect,
        resourceId: resourceIds[10 + i],
      }));
    const mark = logMark(emulator);
    for (const c of cases) {
      emulator.control.injectFault(
        faultOn(c.resourceId, { ...c.effect, times: 1 }),
      );
    }
    const responses = await Promise.all(
      cases.map(c => patch(c.resourceId, 'rel-transient', c.name)),
    );
    for (const [i, c] of cases.entries()) {
      expect({ fault: c.name, status: responses[i].status }).toEqual({
        fault: c.name,
        status: 200,
      });
      const patches = requestsSince(emulator, mark, {
        method: 'PATCH',
        path: tagsPath(c.resourceId),
      });
      expect(patches.map(p => p.faultId !== null).sort()).toEqual([
        false,
        true,
      ]);
      expect(emulator.control.getTags(c.resourceId)['rel-transient']).toBe(
        c.name,
      );
      expect(await storedTags(c.resourceId)).toEqual(
        emulator.control.getTags(c.resourceId),
      );
      report({
        area: 'tag writes',
        fault: `${c.name} (once)`,
        requests: patches.length,
        retries: patches.length - 1,
        outcome: 'HTTP 200 written',
        recovery: 'same call',
      });
    }
  });

  it('a malformed answer is not retried, but the edit is reported and a second try succeeds', async () => {
    const resourceId = resourceIds[20];
    const mark = logMark(emulator);
    emulator.control.injectFault(faultOn(resourceId, { malformed: true }));
    const failed = await patch(resourceId, 'rel-malformed', 'x');
    expect(failed.status).toBe(503);
    expect(await storedTags(resourceId)).toEqual(
      emulator.control.getTags(resourceId),
    );
    const again = await patch(resourceId, 'rel-malformed', 'x');
    expect(again.status).toBe(200);
    expect(
      requestsSince(emulator, mark, {
        method: 'PATCH',
        path: tagsPath(resourceId),
      }),
    ).toHaveLength(2);
    report({
      area: 'tag writes',
      fault: 'malformed JSON (once)',
      requests: 1,
      retries: 0,
      outcome: 'HTTP 503, nothing written, stored = Azure',
      recovery: 'next PATCH 200',
    });
  });
});

describe('a bulk edit that fails in the middle', () => {
  it('reports each resource, and the stored tags of every one match Azure', async () => {
    const ids = resourceIds.slice(30, 36);
    const mark = logMark(emulator);
    // Every tag PATCH after the first three fails until cleared.
    emulator.control.injectFault({
      match: {
        method: 'PATCH',
        pathPattern: '/providers/Microsoft\\.Resources/tags/default$',
      },
      status: 500,
      skip: 3,
      times: 0,
    });
    const response = await request(backend.server)
      .post('/api/azure-tenant/tags/bulk')
      .set('authorization', asUser)
      .send({ resourceIds: ids, set: { 'rel-bulk': 'b' } });
    emulator.control.clearFaults();
    expect(response.status).toBe(200);
    const items: any[] = response.body.results;
    expect(items).toHaveLength(ids.length);
    expect(response.body).toMatchObject({ succeeded: 3, failed: 3 });
    for (const item of items.filter(i => i.status !== 200)) {
      expect(item.status).toBe(503);
      expect(item.error.message).toMatch(/Azure did not apply the change/);
    }
    for (const id of ids) {
      const azure = emulator.control.getTags(id);
      expect(await storedTags(id)).toEqual(azure);
      const item = items.find(i => i.resourceId === id);
      expect(Boolean(azure['rel-bulk'])).toBe(item.status === 200);
    }
    const patches = requestsSince(emulator, mark, { method: 'PATCH' });
    // Three good writes, then three resources with four tries each.
    expect(patches).toHaveLength(3 + 3 * SDK_MAX_TRIES);

    // The same bulk edit again completes the others.
    const again = await request(backend.server)
      .post('/api/azure-tenant/tags/bulk')
      .set('authorization', asUser)
      .send({ resourceIds: ids, set: { 'rel-bulk': 'b' } });
    expect(again.status).toBe(200);
    expect(again.body.succeeded).toBe(6);
    for (const id of ids) {
      expect(emulator.control.getTags(id)['rel-bulk']).toBe('b');
      expect(await storedTags(id)).toEqual(emulator.control.getTags(id));
    }
    report({
      area: 'tag writes',
      fault: 'bulk: 500 from the 4th PATCH on (skip 3)',
      requests: patches.length,
      retries: 3 * (SDK_MAX_TRIES - 1),
      outcome: '3 ok, 3 failed, each reported; stored = Azure',
      recovery: 'bulk again: all 6 ok',
    });
  });
});
