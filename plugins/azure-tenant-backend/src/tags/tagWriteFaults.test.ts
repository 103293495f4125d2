import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AzureEmulator } from '@azure-tenant/azure-emulator';
import { emulatorConnection } from '../azure/__testUtils__/emulatorConnection';
import {
  createSyncFixture,
  DEMO_SUBSCRIPTIONS,
  grantPortalAccess,
} from '../__testUtils__/syncFixture';
import { createAzureTagsClient } from './azureTagsClient';
import { TagService } from './TagService';
import { startTestEmulator } from '../__testUtils__/testEmulator';

jest.setTimeout(60_000);

// Writes whose answer is lost: Azure may hold the change although the portal got an error.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const TIMEOUT_MS = 300;
const STALL_MS = 800;

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

async function setup() {
  emulator.control.reset();
  grantPortalAccess(emulator, 'Reader');
  grantPortalAccess(emulator, 'Tag Contributor');
  const knex = await databases.init('SQLITE_3');
  const sync = await createSyncFixture(knex, emulator);
  await sync.service.syncDue();
  const connection = emulatorConnection(emulator, {
    requestTimeoutMs: TIMEOUT_MS,
  });
  const tags = sync.resources;
  const service = new TagService({
    store: sync.store,
    tags,
    azure: createAzureTagsClient({ connection }),
    events: sync.events,
    logger: mockServices.logger.mock(),
  });
  const page = await sync.resources.listResources({ limit: 5000 });
  const resources = page.items.filter(
    r => r.subscriptionId === DEMO_SUBSCRIPTIONS.platform,
  );
  return { tags, service, resources };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const tagsPattern = (resourceId: string) =>
  `^${escape(resourceId)}/providers/Microsoft\\.Resources/tags/default$`;
const patches = (resourceId: string) =>
  emulator.control
    .requests()
    .filter(
      r =>
        r.method === 'PATCH' &&
        new RegExp(tagsPattern(resourceId), 'i').test(r.path),
    );

describe('tag writes whose answer is lost', () => {
  it('a PATCH that Azure applied but never confirmed in time is read back: success, and the portal matches Azure', async () => {
    const { tags, service, resources } = await setup();
    const { resourceId } = resources[0];
    const stall = emulator.control.injectFault({
      match: { method: 'PATCH', pathPattern: tagsPattern(resourceId) },
      delayMs: STALL_MS,
      times: 0,
    });
    const result = await service.update(resourceId, {
      set: { 'lost-answer': 'yes' },
      remove: [],
      expected: { 'lost-answer': null },
    });
    // Counted when each PATCH arrives: all of them have, once the write has given up on its answers.
    const tries = emulator.control
      .listFaults()
      .find(fault => fault.id === stall.id)?.hits;
    emulator.control.clearFaults();
    expect(result.outcome).toBe('written');
    expect(result.tags['lost-answer']).toBe('yes');
    expect(emulator.control.getTags(resourceId)['lost-answer']).toBe('yes');
    expect((await tags.getResource(resourceId))!.tags).toEqual(
      emulator.control.getTags(resourceId),
    );
    // Four tries, each abandoned after the timeout; bounded by the SDK's retries.
    expect(tries).toBe(4);
    // The emulator logs a stalled try when it answers it: wait for the four, so that none is logged in the next test.
    for (let waited = 0; patches(resourceId).length < 4 && waited < 10_000; ) {
      await new Promise(resolve => setTimeout(resolve, 100));
      waited += 100;
    }
    expect(patches(resourceId)).toHaveLength(4);
  });

  it('when the removal of a Merge + Delete fails, the error says what Azure holds, and the portal stores it', async () => {
    const { tags, service, resources } = await setup();
    const resource = resources.find(
      r => r.tags && Object.keys(r.tags).length > 0,
    )!;
    const [existing] = Object.keys(resource.tags!);
    // The Merge goes through; every Delete fails.
    emulator.control.injectFault({
      match: {
        method: 'PATCH',
        pathPattern: tagsPattern(resource.resourceId),
      },
      status: 500,
      skip: 1,
      times: 0,
    });
    const error = await service
      .update(resource.resourceId, {
        set: { added: 'a' },
        remove: [existing],
        expected: {},
      })
      .catch(e => e);
    emulator.control.clearFaults();
    expect(error.name).toBe('ServiceUnavailableError');
    expect(error.message).toMatch(
      new RegExp(
        `^Azure applied part of the change: it set 'added', but removing '${escape(
          existing,
        )}' failed\\. The portal shows Azure's current tags\\.`,
      ),
    );
    const azure = emulator.control.getTags(resource.resourceId);
    expect(azure.added).toBe('a');
    expect(azure[existing]).toBe(resource.tags![existing]);
    expect((await tags.getResource(resource.resourceId))!.tags).toEqual(azure);
    expect(patches(resource.resourceId)).toHaveLength(1 + 4);
  });

  it('when Azure cannot be read again either, the error says the outcome is unknown', async () => {
    const { tags, service, resources } = await setup();
    const { resourceId } = resources[1];
    const before = (await tags.getResource(resourceId))!.tags;
    // The live read before the write goes through; then every request to the resource's tags stalls.
    emulator.control.injectFault({
      match: { pathPattern: tagsPattern(resourceId) },
      delayMs: STALL_MS,
      skip: 1,
      times: 0,
    });
    const error = await service
      .update(resourceId, {
        set: { unknown: 'x' },
        remove: [],
        expected: {},
      })
      .catch(e => e);
    emulator.control.clearFaults();
    expect(error.name).toBe('ServiceUnavailableError');
    expect(error.message).toMatch(
      /^Azure did not confirm the change and its tags could not be read again, so whether it was applied is unknown until the next sync\. .*ETIMEDOUT/,
    );
    // Nothing stored that Azure did not confirm.
    expect((await tags.getResource(resourceId))!.tags).toEqual(before);
  });
});
