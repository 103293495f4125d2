import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import { AzureEmulator } from '@azure-tenant/azure-emulator';
import { grantPortalAccess } from '../__testUtils__/syncFixture';
import { azureWrites, createTagsFixture } from './__testUtils__/tagsFixture';
import { startTestEmulator } from '../__testUtils__/testEmulator';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const EDITS = 200;
const RESOURCES = 20;

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

describe('PATCH /tags under load', () => {
  it(`keeps all of ${EDITS} concurrent edits on ${RESOURCES} resources, each editing its own key`, async () => {
    grantPortalAccess(emulator, 'Reader');
    grantPortalAccess(emulator, 'Tag Contributor');
    const knex = await databases.init('SQLITE_3');
    const fixture = await createTagsFixture(knex, emulator);
    const resources = (
      await fixture.resourcesOf(fixture.subscriptions.platform)
    ).slice(0, RESOURCES);
    expect(resources).toHaveLength(RESOURCES);
    const logStart = emulator.control.requests().at(-1)?.seq ?? 0;

    // A real listening server, so that the 200 requests are concurrent HTTP requests.
    const server = http.createServer(fixture.app);
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    const { port } = server.address() as AddressInfo;
    const edits = Array.from({ length: EDITS }, (_, i) => ({
      resourceId: resources[i % RESOURCES].resourceId,
      key: `load-${i}`,
      value: `value-${i}`,
    }));
    const latencies: number[] = [];
    const started = Date.now();
    try {
      const responses = await Promise.all(
        edits.map(async edit => {
          const t0 = performance.now();
          const response = await request(`http://127.0.0.1:${port}`)
            .patch('/tags')
            .send({
              resourceId: edit.resourceId,
              set: { [edit.key]: edit.value },
              expected: { [edit.key]: null },
            });
          latencies.push(performance.now() - t0);
          return response;
        }),
      );
      expect(responses.map(r => r.status)).toEqual(edits.map(() => 200));
    } finally {
      await new Promise(resolve => server.close(resolve));
    }
    const elapsed = Date.now() - started;

    const sorted = [...latencies].sort((a, b) => a - b);
    // eslint-disable-next-line no-console
    console.log(
      `PATCH /tags latency: p50 ${percentile(sorted, 50).toFixed(
        1,
      )} ms, p95 ${percentile(sorted, 95).toFixed(
        1,
      )} ms over ${EDITS} edits (${RESOURCES} resources, ${elapsed} ms in all)`,
    );

    // Every edit is in Azure and in the stored resources (the catalog feed), once.
    for (const resource of resources) {
      const mine = edits.filter(e => e.resourceId === resource.resourceId);
      const inAzure = emulator.control.editTags({
        resourceId: resource.resourceId,
        set: {},
      });
      const stored = await fixture.tags.getResource(resource.resourceId);
      for (const edit of mine) {
        expect(inAzure[edit.key]).toBe(edit.value);
        expect(stored!.tags![edit.key]).toBe(edit.value);
      }
      const loadKeys = (tags: Record<string, string>) =>
        Object.keys(tags)
          .filter(k => k.startsWith('load-'))
          .sort();
      expect(loadKeys(inAzure)).toEqual(mine.map(e => e.key).sort());
      expect(loadKeys(stored!.tags!)).toEqual(mine.map(e => e.key).sort());
    }
    const page = await fixture.resources.listResources({ limit: 5000 });
    const feedKeys = page.items.flatMap(r =>
      Object.keys(r.tags ?? {}).filter(k => k.startsWith('load-')),
    );
    expect(feedKeys.sort()).toEqual(edits.map(e => e.key).sort());

    // One Merge per edit, and nothing else written.
    const writes = azureWrites(emulator.control.requests(logStart));
    expect(writes).toHaveLength(EDITS);
    expect(
      new Set(
        fixture.events.published.map(e => (e.eventPayload as any).revision),
      ).size,
    ).toBe(EDITS);
  });
});
