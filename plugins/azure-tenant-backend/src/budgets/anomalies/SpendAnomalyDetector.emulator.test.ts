import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_TENANT,
} from '@azure-tenant/azure-emulator';
import { azureSubscriptionEntityName } from '@azure-tenant/plugin-azure-tenant-common';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import { startTestEmulator } from '../../__testUtils__/testEmulator';
import { AzureConnection } from '../../azure/azureConnection';
import { readAzureTenantConfig } from '../../config/AzureTenantConfig';
import { createCostManagementReader } from '../../spend/costManagementReader';
import { DatabaseSpendStore } from '../../spend/DatabaseSpendStore';
import { addDays, dayOf } from '../../spend/spendDays';
import { SpendSyncService } from '../../spend/SpendSyncService';
import {
  PLATFORM,
  prepareSpendDatabase,
} from '../../spend/__testUtils__/spendTestDatabase';
import { DatabaseBudgetEvaluationStore } from '../DatabaseBudgetEvaluationStore';
import { NotificationSpendAlertNotifier } from '../SpendAlertNotifier';
import { SpendAnomalyDetector } from './SpendAnomalyDetector';

// Spend read from the emulator's Cost Management, with its cost scenarios switched on (packages/azure-emulator
// README, "Cost scenarios"), then judged by the detector.

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

let emulator: AzureEmulator;
let connection: AzureConnection;

beforeAll(async () => {
  emulator = await startTestEmulator();
  connection = new AzureConnection(
    readAzureTenantConfig(
      new ConfigReader({
        backend: { baseUrl: 'http://127.0.0.1:7999' },
        app: { baseUrl: 'http://127.0.0.1:7998' },
        azureTenant: { ...emulatorConnectionConfig(emulator) },
      }),
    )!,
  );
});

afterAll(() => emulator?.stop());

beforeEach(() => {
  emulator.control.reset();
  emulator.control.configureThrottling({ enabled: false });
  const principal = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
  emulator.control.assignRole({
    scope: `/subscriptions/${PLATFORM}`,
    principalId: principal.objectId,
    role: 'Reader',
  });
});

describe.each(databases.eachSupportedId())(
  'SpendAnomalyDetector on the emulator (%s)',
  databaseId => {
    let knex: Knex;
    let send: jest.Mock;
    let detect: (today: string) => Promise<{ alerts: number }>;

    afterEach(() => releaseTestDatabase(knex));

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await prepareSpendDatabase(knex, [{ subscriptionId: PLATFORM }]);
      const spendStore = new DatabaseSpendStore(knex);
      const logger = mockServices.logger.mock();
      send = jest.fn().mockResolvedValue(undefined);
      const sync = new SpendSyncService({
        store: spendStore,
        reader: createCostManagementReader({ connection }),
        logger,
        config: { lookbackDays: 40, restatementDays: 5, concurrency: 1 },
      });
      const detector = new SpendAnomalyDetector({
        spendStore,
        catalog: catalogServiceMock({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Resource',
              metadata: {
                name: azureSubscriptionEntityName(PLATFORM),
                namespace: 'default',
                title: 'Contoso Platform Production',
              },
              spec: {
                type: 'azure-subscription',
                owner: 'group:default/team-platform',
              },
            },
          ],
        }),
        auth: mockServices.auth(),
        notifier: new NotificationSpendAlertNotifier({
          store: new DatabaseBudgetEvaluationStore(knex),
          notifications: { send } as unknown as NotificationService,
          auditor: mockServices.auditor.mock(),
          logger,
        }),
        logger,
        config: new ConfigReader({}),
      });
      detect = async today => {
        const result = await sync.syncSubscription(PLATFORM);
        expect(result).toMatchObject({ status: 'succeeded' });
        return detector.run({ today });
      };
    });

    it("alerts the spike scenario's day, naming its service", async () => {
      const today = dayOf(new Date());
      const yesterday = addDays(today, -1);
      emulator.control.addCostScenario({
        kind: 'spike',
        subscriptionId: PLATFORM,
        serviceName: 'Virtual Machines',
        factor: 5,
        from: yesterday,
      });

      await expect(detect(today)).resolves.toEqual({ alerts: 1 });

      expect(send).toHaveBeenCalledTimes(1);
      const [{ recipients, payload }] = send.mock.calls[0];
      expect(recipients).toEqual({
        type: 'entity',
        entityRef: ['group:default/team-platform'],
      });
      expect(payload.title).toMatch(
        new RegExp(
          `^Spend anomaly in Contoso Platform Production on ${yesterday}: [\\d,.]+ USD against an expected [\\d,.]+ USD$`,
        ),
      );
      expect(payload.description).toMatch(/^Driven by Virtual Machines \(\+/);
      expect(payload.link).toBe(
        `/catalog/default/resource/${azureSubscriptionEntityName(
          PLATFORM,
        )}/spend`,
      );
    });

    it('does not alert the steady-growth scenario', async () => {
      const today = dayOf(new Date());
      emulator.control.addCostScenario({
        kind: 'steady-growth',
        subscriptionId: PLATFORM,
        percentPerDay: 3,
        from: addDays(today, -35),
      });

      await expect(detect(today)).resolves.toEqual({ alerts: 0 });
      expect(send).not.toHaveBeenCalled();
    });
  },
);
