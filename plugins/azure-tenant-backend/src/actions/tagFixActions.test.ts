import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import {
  AzureEmulator,
  DEMO_SUBSCRIPTIONS,
} from '@azure-tenant/azure-emulator';
import { Knex } from 'knex';
import { grantPortalAccess } from '../__testUtils__/syncFixture';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { startTestEmulator } from '../__testUtils__/testEmulator';
import {
  addMessyResources,
  createTagFixFixture,
} from '../governance/fixes/__testUtils__/tagFixFixture';
import { registerTagFixActions } from './tagFixActions';

jest.setTimeout(90_000);

// On the actions registry's own mock, which validates input and output as the registry does.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

describe.each(databases.eachSupportedId())(
  'the tag fix actions (%s)',
  databaseId => {
    let knex: Knex;
    let fixture: Awaited<ReturnType<typeof createTagFixFixture>>;
    let registry: ReturnType<typeof actionsRegistryServiceMock>;
    let ids: string[];

    beforeEach(async () => {
      emulator.control.reset();
      grantPortalAccess(emulator, 'Reader');
      grantPortalAccess(emulator, 'Tag Contributor');
      knex = await databases.init(databaseId);
      ids = addMessyResources(emulator, [DEMO_SUBSCRIPTIONS.platform], 4);
      fixture = await createTagFixFixture(knex, emulator);
      registry = actionsRegistryServiceMock();
      registerTagFixActions(registry, { tagFixes: fixture.operations });
    });
    afterEach(() => releaseTestDatabase(knex));

    const invoke = (
      name: string,
      input: Record<string, unknown>,
      as: BackstageCredentials = mockCredentials.user('user:default/alice'),
    ) =>
      registry.invoke({
        id: `test:${name}`,
        input: input as any,
        credentials: as,
      });

    it('previews, applies and follows a fix, as the REST API does', async () => {
      const preview = (await invoke('preview-tag-fixes', { resourceIds: ids }))
        .output as any;
      expect(preview).toMatchObject({
        resources: 4,
        subscriptions: [
          {
            subscriptionId: DEMO_SUBSCRIPTIONS.platform,
            outcome: 'write-to-azure',
            resources: 4,
          },
        ],
      });
      const job = (await invoke('apply-tag-fixes', { resourceIds: ids }))
        .output as any;
      expect(job).toMatchObject({ state: 'pending', total: 4 });
      await fixture.runner().run();
      const done = (await invoke('get-tag-fix-job', { jobId: job.id }))
        .output as any;
      expect(done).toMatchObject({ state: 'done', applied: 4, failed: 0 });
    });

    it('refuses a service, and names a bad field', async () => {
      await expect(
        invoke('apply-tag-fixes', {}, mockCredentials.service()),
      ).rejects.toThrow(/credentials/);
      await expect(
        invoke('preview-tag-fixes', { kinds: ['everything'] }),
      ).rejects.toThrow(/kinds/);
    });

    it('describes apply as a write, preview and get as reads', async () => {
      const { actions } = await registry.list();
      const byName = new Map(actions.map(a => [a.name, a]));
      expect(byName.get('apply-tag-fixes')?.attributes.readOnly).toBe(false);
      expect(byName.get('preview-tag-fixes')?.attributes.readOnly).toBe(true);
      expect(byName.get('get-tag-fix-job')?.attributes.readOnly).toBe(true);
    });
  },
);
