import { mockServices } from '@backstage/backend-test-utils';
import { createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { CostReader } from '../spend/costManagementReader';
import { SpendStore } from '../spend/SpendStore';
import { SpendSyncService } from '../spend/SpendSyncService';
import { AzureTenantMetrics } from './azureTenantMetrics';
import { recordingMetricsService } from './__testUtils__/recordingMetricsService';

const TENANT = '4a1e5c1d-7f6b-4d2c-9a3e-1b2c3d4e5f60';
const SUBSCRIPTION = '3f8c2a41-6d7e-4b59-9c1a-2e5f7d8b9a01';

/** A spend store that keeps nothing: only what the sync reads of it matters here. */
function emptySpendStore(): SpendStore {
  return {
    getSubscription: async () => ({
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
    }),
    getSyncState: async () => undefined,
    replaceDays: async () => {},
    recordSyncSuccess: async () => {},
    recordSyncFailure: async () => {},
    listSubscriptions: async () => [
      { subscriptionId: SUBSCRIPTION, tenantId: TENANT },
    ],
  } as unknown as SpendStore;
}

function spendSync(reader: CostReader) {
  const recorded = recordingMetricsService();
  const service = new SpendSyncService({
    store: emptySpendStore(),
    reader,
    logger: mockServices.logger.mock(),
    config: { lookbackDays: 31, restatementDays: 3, concurrency: 1 },
    metrics: new AzureTenantMetrics(recorded.service),
  });
  return { service, recorded };
}

describe('the spend sync metrics', () => {
  it('counts a run and the cost rows it read and stored, per tenant', async () => {
    const { service, recorded } = spendSync({
      readDailyCosts: async ({ from }) => [
        {
          day: from,
          resourceId: '/subscriptions/x/resourcegroups/rg/providers/a/b/c',
          serviceName: 'Storage',
          cost: 1.5,
          currency: 'USD',
        } as any,
        {
          day: from,
          resourceId: '/subscriptions/x/resourcegroups/rg/providers/a/b/d',
          serviceName: 'Storage',
          cost: 2,
          currency: 'USD',
        } as any,
      ],
      readMonthForecast: async () => undefined,
    });

    const [result] = await service.syncAll();

    expect(result.status).toBe('succeeded');
    expect(
      recorded.sum('azure_tenant.spend_sync.runs', {
        tenant: TENANT,
        outcome: 'succeeded',
      }),
    ).toBe(1);
    expect(
      recorded.sum('azure_tenant.spend_sync.rows_read', { tenant: TENANT }),
    ).toBe(result.rows);
    expect(
      recorded.sum('azure_tenant.spend_sync.rows_written', { tenant: TENANT }),
    ).toBe(result.rows);
    expect(
      recorded.values('azure_tenant.spend_sync.duration', { tenant: TENANT }),
    ).toHaveLength(1);
  });

  it('counts a failed run by its reason: Cost Management still throttling after the retries', async () => {
    const { service, recorded } = spendSync({
      readDailyCosts: async () => {
        throw new RestError('Too many requests', {
          statusCode: 429,
          code: '429',
          request: createPipelineRequest({
            url: 'https://management.azure.com/q',
          }),
        });
      },
      readMonthForecast: async () => undefined,
    });

    const [result] = await service.syncAll();

    expect(result.status).toBe('failed');
    expect(
      recorded.sum('azure_tenant.spend_sync.failures', {
        tenant: TENANT,
        reason: 'throttled',
      }),
    ).toBe(1);
    expect(
      recorded.sum('azure_tenant.spend_sync.runs', {
        tenant: TENANT,
        outcome: 'failed',
      }),
    ).toBe(1);
  });
});
