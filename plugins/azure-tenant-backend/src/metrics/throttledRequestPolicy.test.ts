import {
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  HttpClient,
  PipelineRequest,
  throttlingRetryPolicy,
} from '@azure/core-rest-pipeline';
import { costManagementRetryAfterPolicy } from '../spend/costManagementRetryAfterPolicy';
import { AzureTenantMetrics } from './azureTenantMetrics';
import { recordingMetricsService } from './__testUtils__/recordingMetricsService';
import {
  namedRetryAfterMs,
  throttledRequestPolicy,
} from './throttledRequestPolicy';

const TENANT = '4a1e5c1d-7f6b-4d2c-9a3e-1b2c3d4e5f60';

/** An HTTP client that answers each try with the next of `answers`, and counts the tries. */
function scriptedClient(
  answers: Array<{ status: number; headers?: Record<string, string> }>,
) {
  const tries: PipelineRequest[] = [];
  const client: HttpClient = {
    async sendRequest(request) {
      tries.push(request);
      const answer = answers[Math.min(tries.length - 1, answers.length - 1)];
      return {
        request,
        status: answer.status,
        headers: createHttpHeaders(answer.headers ?? {}),
        bodyAsText: '{}',
      };
    },
  };
  return { client, tries };
}

/** The SDK's throttling retry, then the per-retry policies in the order a client adds them. */
function pipelineWith(
  ...perRetry: Parameters<
    ReturnType<typeof createEmptyPipeline>['addPolicy']
  >[0][]
) {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(throttlingRetryPolicy(), { phase: 'Retry' });
  for (const policy of perRetry)
    pipeline.addPolicy(policy, { afterPhase: 'Sign' });
  return pipeline;
}

describe('throttledRequestPolicy', () => {
  it("counts ARM's 429 and the Retry-After it named, once per try", async () => {
    const recorded = recordingMetricsService();
    const metrics = new AzureTenantMetrics(recorded.service);
    const { client, tries } = scriptedClient([
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 200 },
    ]);
    const pipeline = pipelineWith(
      throttledRequestPolicy({ metrics, tenantId: TENANT, api: 'arm' }),
    );

    const response = await pipeline.sendRequest(
      client,
      createPipelineRequest({ url: 'https://management.azure.com/x' }),
    );

    expect(response.status).toBe(200);
    expect(tries).toHaveLength(3);
    expect(
      recorded.sum('azure_tenant.azure.throttled_requests', {
        tenant: TENANT,
        api: 'arm',
      }),
    ).toBe(2);
    expect(
      recorded.values('azure_tenant.azure.throttle_wait', {
        tenant: TENANT,
        api: 'arm',
        cause: 'retry-after',
      }),
    ).toEqual([0, 0]);
  });

  // Cost Management names its wait only in x-ms-ratelimit-microsoft.costmanagement-{qpu,entity,tenant,client}-retry-after
  // (https://learn.microsoft.com/en-us/azure/cost-management-billing/costs/manage-automation, "Error code 429"));
  // placed before costManagementRetryAfterPolicy, the observer records the wait that policy read from them.
  it('records the wait Cost Management named in its own headers, when the observer comes before the retry-after policy', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const recorded = recordingMetricsService();
      const metrics = new AzureTenantMetrics(recorded.service);
      const { client } = scriptedClient([
        {
          status: 429,
          headers: {
            'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after': '7',
            'x-ms-ratelimit-microsoft.costmanagement-qpu-remaining':
              'QueriesPerHour:597,QueriesPerMin:0,QueriesPer10Sec:0',
          },
        },
        { status: 200 },
      ]);
      const pipeline = pipelineWith(
        throttledRequestPolicy({
          metrics,
          tenantId: TENANT,
          api: 'cost-management',
        }),
        costManagementRetryAfterPolicy(),
      );

      const sent = pipeline.sendRequest(
        client,
        createPipelineRequest({ url: 'https://management.azure.com/q' }),
      );
      await jest.advanceTimersByTimeAsync(7_000);
      expect((await sent).status).toBe(200);

      expect(
        recorded.sum('azure_tenant.azure.throttled_requests', {
          api: 'cost-management',
        }),
      ).toBe(1);
      expect(
        recorded.values('azure_tenant.azure.throttle_wait', {
          api: 'cost-management',
          cause: 'retry-after',
        }),
      ).toEqual([7]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('passes other answers through without counting them', async () => {
    const recorded = recordingMetricsService();
    const metrics = new AzureTenantMetrics(recorded.service);
    const { client } = scriptedClient([{ status: 503 }]);
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(
      throttledRequestPolicy({ metrics, tenantId: TENANT, api: 'arm' }),
    );

    const response = await pipeline.sendRequest(
      client,
      createPipelineRequest({ url: 'https://management.azure.com/x' }),
    );

    expect(response.status).toBe(503);
    expect(recorded.sum('azure_tenant.azure.throttled_requests')).toBe(0);
  });
});

describe('namedRetryAfterMs', () => {
  const response = (headers: Record<string, string>) => ({
    request: createPipelineRequest({ url: 'https://example.test' }),
    status: 429,
    headers: createHttpHeaders(headers),
  });

  it('reads retry-after-ms, x-ms-retry-after-ms, and Retry-After in seconds or as a date', () => {
    expect(namedRetryAfterMs(response({ 'retry-after-ms': '250' }))).toBe(250);
    expect(namedRetryAfterMs(response({ 'x-ms-retry-after-ms': '40' }))).toBe(
      40,
    );
    expect(namedRetryAfterMs(response({ 'retry-after': '3' }))).toBe(3000);
    const now = Date.parse('2026-12-03T10:00:00Z');
    expect(
      namedRetryAfterMs(
        response({ 'retry-after': 'Thu, 03 Dec 2026 10:00:05 GMT' }),
        now,
      ),
    ).toBe(5000);
    expect(namedRetryAfterMs(response({}))).toBeUndefined();
    expect(
      namedRetryAfterMs(response({ 'retry-after': 'soon' })),
    ).toBeUndefined();
  });
});
