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

// Tag writes that Azure accepts with 202 and finishes later: the Tags API's PATCH at a scope is long-running
// (specification/resources/resource-manager/Microsoft.Resources/resources/stable/2025-04-01/examples/PatchTagsResource.json
// answers 202 with a Location to poll). The emulator's `asyncOperation` fault answers so.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

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
  const connection = emulatorConnection(emulator);
  const service = new TagService({
    store: sync.store,
    tags: sync.resources,
    azure: createAzureTagsClient({ connection }),
    events: sync.events,
    logger: mockServices.logger.mock(),
  });
  const page = await sync.resources.listResources({ limit: 5000 });
  const resource = page.items.find(
    r =>
      r.subscriptionId === DEMO_SUBSCRIPTIONS.platform &&
      r.tags &&
      Object.keys(r.tags).length > 0,
  )!;
  return { tags: sync.resources, service, resource };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('tag writes that Azure accepts with 202', () => {
  it('waits for the operation to finish and stores the tags Azure holds at its end', async () => {
    const { tags, service, resource } = await setup();
    const [existing] = Object.keys(resource.tags!);
    emulator.control.injectFault({
      match: {
        method: 'PATCH',
        pathPattern: `^${escape(
          resource.resourceId,
        )}/providers/Microsoft\\.Resources/tags/default$`,
      },
      // InProgress twice, then Succeeded; Retry-After 1 s, as ARM sends it.
      asyncOperation: { inProgressPolls: 2 },
      times: 0,
    });

    // A Merge (the new tag) and a Delete (the removed one): each accepted with 202 and polled to its end.
    const result = await service.update(resource.resourceId, {
      set: { 'written-later': 'yes' },
      remove: [existing],
      expected: {},
    });
    emulator.control.clearFaults();

    const azure = emulator.control.getTags(resource.resourceId);
    expect(azure['written-later']).toBe('yes');
    expect(azure).not.toHaveProperty(existing);
    expect(result.outcome).toBe('written');
    expect(result.tags).toEqual(azure);
    expect((await tags.getResource(resource.resourceId))!.tags).toEqual(azure);

    const requests = emulator.control.requests();
    const accepted = requests.filter(
      r => r.method === 'PATCH' && r.status === 202,
    );
    const polls = requests.filter(r =>
      /\/operationStatuses\/|\/operationresults\//i.test(r.path),
    );
    // Each PATCH sent once (not retried), and followed until Azure said it was done.
    expect(accepted).toHaveLength(2);
    expect(polls.filter(r => /operationStatuses/i.test(r.path))).toHaveLength(
      2 * 3,
    );
    expect(polls.every(r => r.status === 200)).toBe(true);
  });
});
