import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  ADD_OR_REPLACE_TAG_POLICY_ID,
  AzureEmulator,
  DEMO_APP,
  DEMO_TENANT,
  INHERIT_TAG_FROM_SUBSCRIPTION_IF_MISSING_POLICY_ID,
} from '@azure-tenant/azure-emulator';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';
import { Knex } from 'knex';
import { AzureConnection } from '../../azure/azureConnection';
import { readAzureTenantConfig } from '../../config/AzureTenantConfig';
import { DatabaseAzureTenantStore } from '../../database/DatabaseAzureTenantStore';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import { startTestEmulator } from '../../__testUtils__/testEmulator';
import {
  DATA_EUROPE,
  PAYMENTS,
  PLATFORM,
  prepareSpendDatabase,
} from '../../spend/__testUtils__/spendTestDatabase';
import { createAzureTagPolicyReader } from './azureTagPolicyReader';
import { AzureTagPolicySyncService } from './AzureTagPolicySyncService';
import { DatabaseAzureTagPolicyAssignmentStore } from './DatabaseAzureTagPolicyAssignmentStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const ASSIGNMENTS = '/providers/Microsoft.Authorization/policyAssignments';

let emulator: AzureEmulator;
let connection: AzureConnection;
let principalId: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  connection = new AzureConnection(
    readAzureTenantConfig(
      new ConfigReader({
        backend: { baseUrl: 'http://127.0.0.1:7999' },
        app: { baseUrl: 'http://127.0.0.1:7998' },
        azureTenant: emulatorConnectionConfig(emulator),
      }),
    )!,
  );
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(() => {
  emulator.control.reset();
  principalId = emulator.control.consent(
    DEMO_TENANT.id,
    DEMO_APP.clientId,
  ).objectId;
  for (const subscriptionId of [PLATFORM, PAYMENTS, DATA_EUROPE]) {
    emulator.control.assignRole({
      scope: `/subscriptions/${subscriptionId}`,
      principalId,
      role: 'Reader',
    });
  }
});

describe.each(databases.eachSupportedId())(
  'AzureTagPolicySyncService against the emulator (%s)',
  id => {
    let knex: Knex;
    let store: DatabaseAzureTagPolicyAssignmentStore;
    let tenants: DatabaseAzureTenantStore;
    let logger: ReturnType<typeof mockServices.logger.mock>;
    let service: AzureTagPolicySyncService;
    const readAt = new Date('2026-12-05T06:00:00Z');

    beforeEach(async () => {
      knex = await databases.init(id);
      await prepareSpendDatabase(knex, [
        { subscriptionId: PLATFORM },
        { subscriptionId: PAYMENTS },
        { subscriptionId: DATA_EUROPE },
      ]);
      store = new DatabaseAzureTagPolicyAssignmentStore(knex);
      tenants = new DatabaseAzureTenantStore(knex);
      logger = mockServices.logger.mock();
      service = new AzureTagPolicySyncService({
        store,
        subscriptions: tenants,
        reader: createAzureTagPolicyReader({ connection }),
        logger,
        now: () => readAt,
      });
    });
    afterEach(() => releaseTestDatabase(knex));

    it("stores each subscription's tag assignments, classified, with the tag from their parameters", async () => {
      // The demo fixture: Platform requires owner (deny), Payments inherits costCenter from the resource group
      // (modify). Added here: an add-or-replace at a resource group, not enforced, and an inherit from the
      // subscription.
      emulator.control.assignPolicy({
        scope: `/subscriptions/${DATA_EUROPE}/resourceGroups/rg-data-lake-weu`,
        name: 'set-env',
        policyDefinitionId: ADD_OR_REPLACE_TAG_POLICY_ID,
        parameters: { tagName: { value: 'env' }, tagValue: { value: 'prod' } },
        enforcementMode: 'DoNotEnforce',
      });
      emulator.control.assignPolicy({
        scope: `/subscriptions/${DATA_EUROPE}`,
        name: 'inherit-cost',
        policyDefinitionId: INHERIT_TAG_FROM_SUBSCRIPTION_IF_MISSING_POLICY_ID,
        parameters: { tagName: { value: 'costCenter' } },
      });

      const results = await service.syncAll();
      expect(
        results.map(r => [r.subscriptionId, r.status, r.assignments]),
      ).toEqual(
        expect.arrayContaining([
          [PLATFORM, 'succeeded', 1],
          [PAYMENTS, 'succeeded', 1],
          [DATA_EUROPE, 'succeeded', 2],
        ]),
      );

      expect(await store.listAssignments({ subscriptionId: PLATFORM })).toEqual(
        [
          {
            id: `/subscriptions/${PLATFORM}${ASSIGNMENTS}/require-owner-tag`,
            subscriptionId: PLATFORM,
            scope: `/subscriptions/${PLATFORM}`,
            displayName: 'Require an owner tag on resources',
            definitionName: 'Require a tag on resources',
            effect: 'require',
            tagName: 'owner',
            enforcementMode: 'Default',
            readAt: readAt.toISOString(),
          },
        ],
      );
      expect(await store.listAssignments({ subscriptionId: PAYMENTS })).toEqual(
        [
          expect.objectContaining({
            definitionName: 'Inherit a tag from the resource group',
            effect: 'inherit-from-resource-group',
            tagName: 'costCenter',
          }),
        ],
      );
      const europe = await store.listAssignments({
        subscriptionId: DATA_EUROPE,
      });
      expect(
        europe.map(a => [
          a.displayName,
          a.effect,
          a.tagName,
          a.tagValue,
          a.enforcementMode,
        ]),
      ).toEqual(
        expect.arrayContaining([
          [
            'Inherit a tag from the subscription if missing',
            'inherit-from-subscription',
            'costCenter',
            undefined,
            'Default',
          ],
          [
            'Add or replace a tag on resources',
            'add',
            'env',
            'prod',
            'DoNotEnforce',
          ],
        ]),
      );
      expect(europe.find(a => a.effect === 'add')?.scope.toLowerCase()).toBe(
        `/subscriptions/${DATA_EUROPE}/resourcegroups/rg-data-lake-weu`,
      );
      expect(await store.listAssignments()).toHaveLength(4);
    });

    it('keeps the last good list when Azure answers 403, and logs it once until a read succeeds', async () => {
      await service.syncSubscription(PLATFORM);
      const before = await store.listAssignments({ subscriptionId: PLATFORM });
      expect(before).toHaveLength(1);

      emulator.control.removeRoleAssignments({
        principalId,
        scope: `/subscriptions/${PLATFORM}`,
      });
      const first = await service.syncSubscription(PLATFORM);
      const second = await service.syncSubscription(PLATFORM);
      expect([first.status, second.status]).toEqual(['failed', 'failed']);
      expect(await store.listAssignments({ subscriptionId: PLATFORM })).toEqual(
        before,
      );
      const warnings = () =>
        logger.warn.mock.calls.filter(([message]) =>
          String(message).includes(PLATFORM),
        );
      expect(warnings()).toHaveLength(1);
      expect(String(warnings()[0][0])).toMatch(/\(403\)/);
      // Nothing of the request (a bearer token) in what is logged.
      expect(JSON.stringify(logger.warn.mock.calls)).not.toMatch(/Bearer|eyJ/);

      emulator.control.assignRole({
        scope: `/subscriptions/${PLATFORM}`,
        principalId,
        role: 'Reader',
      });
      emulator.control.assignPolicy({
        scope: `/subscriptions/${PLATFORM}`,
        name: 'set-env',
        policyDefinitionId: ADD_OR_REPLACE_TAG_POLICY_ID,
        parameters: { tagName: { value: 'env' }, tagValue: { value: 'prod' } },
      });
      expect((await service.syncSubscription(PLATFORM)).status).toBe(
        'succeeded',
      );
      expect(
        await store.listAssignments({ subscriptionId: PLATFORM }),
      ).toHaveLength(2);
      // Denied again after a success: logged again.
      emulator.control.removeRoleAssignments({
        principalId,
        scope: `/subscriptions/${PLATFORM}`,
      });
      await service.syncSubscription(PLATFORM);
      expect(warnings()).toHaveLength(2);
    });

    it('skips a subscription whose access is lost, keeping its list', async () => {
      await service.syncSubscription(PAYMENTS);
      await tenants.recordAccessProblem(
        { subscriptionId: PAYMENTS },
        {
          problem: 'read-denied',
          message: 'no Reader role',
          at: new Date(),
          retryDelayMs: () => 0,
        },
      );
      emulator.control.removeRoleAssignments({
        principalId,
        scope: `/subscriptions/${PAYMENTS}`,
      });
      const result = await service.syncSubscription(PAYMENTS);
      expect(result).toMatchObject({
        status: 'skipped',
        error: 'no Reader role',
      });
      expect(
        await store.listAssignments({ subscriptionId: PAYMENTS }),
      ).toHaveLength(1);
      expect(logger.warn).not.toHaveBeenCalled();
    });
  },
);
