import { ResourceManagementClient } from '@azure/arm-resources';
import { TokenCredential } from '@azure/core-auth';
import {
  createHttpHeaders,
  HttpClient,
  PipelinePolicy,
} from '@azure/core-rest-pipeline';
import { recordingMetricsService } from '../metrics/__testUtils__/recordingMetricsService';
import { AzureTenantMetrics } from '../metrics/azureTenantMetrics';
import { costManagementRetryAfterPolicy } from '../spend/costManagementRetryAfterPolicy';
import {
  armClientPolicies,
  ArmClientPoliciesOptions,
} from './armClientPolicies';

const TENANT = '4a1e5c1d-7f6b-4d2c-9a3e-1b2c3d4e5f60';
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

const credential: TokenCredential = {
  getToken: async () => ({
    token: 'test-token',
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

/** An HTTP client that answers each try with the next of `answers`. */
function scriptedClient(
  answers: Array<{ status: number; headers?: Record<string, string> }>,
): HttpClient & { tries: number } {
  const client = {
    tries: 0,
    async sendRequest(request: Parameters<HttpClient['sendRequest']>[0]) {
      const answer = answers[Math.min(client.tries, answers.length - 1)];
      client.tries++;
      return {
        request,
        status: answer.status,
        headers: createHttpHeaders({
          'content-type': 'application/json',
          ...answer.headers,
        }),
        bodyAsText: '{"name":"rg-1"}',
      };
    },
  };
  return client;
}

/** An Azure SDK client with the policies, as the plugin's readers build theirs. */
function sdkClient(
  httpClient: HttpClient,
  options: Omit<ArmClientPoliciesOptions, 'tenantId'>,
) {
  return new ResourceManagementClient(credential, SUBSCRIPTION, {
    endpoint: 'https://management.azure.com',
    httpClient,
    additionalPolicies: armClientPolicies({ tenantId: TENANT, ...options }),
  });
}

describe('armClientPolicies', () => {
  it("counts a 429 under the client's api, with the wait one of its own policies gave it", async () => {
    const recorded = recordingMetricsService();
    const metrics = new AzureTenantMetrics(recorded.service);
    const httpClient = scriptedClient([
      {
        status: 429,
        headers: {
          'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after': '0',
        },
      },
      { status: 200 },
    ]);
    const client = sdkClient(httpClient, {
      metrics,
      api: 'cost-management',
      policies: [
        { policy: costManagementRetryAfterPolicy(), position: 'perRetry' },
      ],
    });

    await client.resourceGroups.get('rg-1');

    expect(httpClient.tries).toBe(2);
    expect(
      recorded.sum('azure_tenant.azure.throttled_requests', {
        tenant: TENANT,
        api: 'cost-management',
      }),
    ).toBe(1);
    expect(
      recorded.values('azure_tenant.azure.throttle_wait', {
        api: 'cost-management',
        cause: 'retry-after',
      }),
    ).toEqual([0]);
  });

  it('paces reads once ARM says few remain, and counts the wait', async () => {
    const recorded = recordingMetricsService();
    const metrics = new AzureTenantMetrics(recorded.service);
    const httpClient = scriptedClient([
      {
        status: 200,
        headers: { 'x-ms-ratelimit-remaining-subscription-reads': '990' },
      },
    ]);
    const client = sdkClient(httpClient, { metrics, minRemainingReads: 1000 });

    await client.resourceGroups.get('rg-1');
    await client.resourceGroups.get('rg-1');

    // 5 s at most, by how far below 1000 the reads are: 1% of it.
    expect(
      recorded.values('azure_tenant.azure.throttle_wait', {
        tenant: TENANT,
        api: 'arm',
        cause: 'remaining-reads',
      }),
    ).toEqual([0.05]);
  });

  it('adds only its own policies without metrics or pacing', () => {
    const own: PipelinePolicy = {
      name: 'own',
      sendRequest: (request, next) => next(request),
    };
    expect(armClientPolicies({ tenantId: TENANT })).toEqual([]);
    expect(
      armClientPolicies({
        tenantId: TENANT,
        policies: [{ policy: own, position: 'perCall' }],
      }),
    ).toEqual([{ policy: own, position: 'perCall' }]);
  });
});
