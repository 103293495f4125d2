import {
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  HttpClient,
  PipelineResponse,
} from '@azure/core-rest-pipeline';
import {
  costManagementQpuPacingPolicy,
  CostManagementQuotaExhaustedError,
  costManagementRetryAfterPolicy,
} from './costManagementRetryAfterPolicy';

/*
 * Cost Management throttles a query with 429 and no standard Retry-After: the wait (seconds) is in its own
 * x-ms-ratelimit-microsoft.costmanagement-{qpu,entity,tenant,client}-retry-after headers, and what is left of the
 * tenant's query processing units in -qpu-remaining (QueriesPerHour:597,QueriesPerMin:57,QueriesPer10Sec:9).
 * Microsoft Learn, "Manage costs with automation" › "Query API query processing units":
 * https://learn.microsoft.com/azure/cost-management-billing/costs/manage-automation#query-api-query-processing-units
 */

/** An HTTP client that answers each try from `answers` (the last one again when they run out), and logs when. */
function fakeClient(
  answers: Array<{ status: number; headers?: Record<string, string> }>,
) {
  const tries: number[] = [];
  const client: HttpClient = {
    async sendRequest(request): Promise<PipelineResponse> {
      const answer = answers[Math.min(tries.length, answers.length - 1)];
      tries.push(Date.now());
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

/** The SDK's pipeline (default retry policies, 3 retries) with the policy where the Cost Management client has it. */
function send(
  client: HttpClient,
  options?: Parameters<typeof costManagementRetryAfterPolicy>[0],
) {
  const pipeline = createPipelineFromOptions({});
  pipeline.addPolicy(costManagementRetryAfterPolicy(options), {
    afterPhase: 'Retry',
  });
  return pipeline.sendRequest(
    client,
    createPipelineRequest({ url: 'https://management.example/query' }),
  );
}

const QPU = 'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after';
const ENTITY = 'x-ms-ratelimit-microsoft.costmanagement-entity-retry-after';

describe('costManagementRetryAfterPolicy', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it("retries a 429 after the longest wait named in Cost Management's own headers", async () => {
    const { client, tries } = fakeClient([
      { status: 429, headers: { [QPU]: '1', [ENTITY]: '3' } },
      { status: 200 },
    ]);
    const response = send(client);
    await jest.advanceTimersByTimeAsync(2_999);
    expect(tries).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect((await response).status).toBe(200);
    expect(tries).toEqual([0, 3_000]);
  });

  it("gives a persistent 429 the pipeline's one retry budget: 4 tries in all", async () => {
    const { client, tries } = fakeClient([
      { status: 429, headers: { [QPU]: '2' } },
    ]);
    const response = send(client);
    await jest.advanceTimersByTimeAsync(60_000);
    expect((await response).status).toBe(429);
    expect(tries).toEqual([0, 2_000, 4_000, 6_000]);
  });

  it('leaves a standard Retry-After as Azure sent it', async () => {
    const { client, tries } = fakeClient([
      { status: 429, headers: { 'retry-after': '1', [QPU]: '30' } },
      { status: 200 },
    ]);
    const response = send(client);
    await jest.advanceTimersByTimeAsync(1_000);
    expect((await response).status).toBe(200);
    expect(tries).toEqual([0, 1_000]);
  });

  it('waits the default when a 429 names no wait, and at most the cap', async () => {
    const unnamed = fakeClient([{ status: 429 }, { status: 200 }]);
    const first = send(unnamed.client, { defaultRetryAfterMs: 700 });
    await jest.advanceTimersByTimeAsync(700);
    expect((await first).status).toBe(200);
    expect(unnamed.tries).toEqual([0, 700]);

    jest.setSystemTime(0);
    const long = fakeClient([
      { status: 429, headers: { [QPU]: '3600' } },
      { status: 200 },
    ]);
    const second = send(long.client, { maxRetryAfterMs: 1_500 });
    await jest.advanceTimersByTimeAsync(1_500);
    expect((await second).status).toBe(200);
    expect(long.tries).toEqual([0, 1_500]);
  });

  it.each(['qpu', 'entity', 'tenant', 'client'])(
    'retries a 429 without Retry-After after the wait in x-ms-ratelimit-microsoft.costmanagement-%s-retry-after',
    async kind => {
      const { client, tries } = fakeClient([
        {
          status: 429,
          headers: {
            [`x-ms-ratelimit-microsoft.costmanagement-${kind}-retry-after`]:
              '4',
          },
        },
        { status: 200 },
      ]);
      const response = send(client);
      await jest.advanceTimersByTimeAsync(3_999);
      expect(tries).toEqual([0]);
      await jest.advanceTimersByTimeAsync(1);
      expect((await response).status).toBe(200);
      expect(tries).toEqual([0, 4_000]);
    },
  );

  it('does not touch other answers', async () => {
    const { client, tries } = fakeClient([
      { status: 400, headers: { [QPU]: '5' } },
    ]);
    const response = await send(client);
    expect(response.status).toBe(400);
    expect(response.headers.has('retry-after-ms')).toBe(false);
    expect(tries).toHaveLength(1);
  });
});

describe('costManagementQpuPacingPolicy', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  const REMAINING = 'x-ms-ratelimit-microsoft.costmanagement-qpu-remaining';

  /** One tenant's pipeline with the pacing policy, as the reader has it. */
  function tenantPipeline() {
    const pipeline = createPipelineFromOptions({});
    pipeline.addPolicy(costManagementRetryAfterPolicy(), {
      afterPhase: 'Retry',
    });
    pipeline.addPolicy(
      costManagementQpuPacingPolicy({ tenantId: 'tenant-a' }),
      {
        afterPhase: 'Retry',
      },
    );
    return (client: HttpClient) =>
      pipeline.sendRequest(
        client,
        createPipelineRequest({ url: 'https://management.example/query' }),
      );
  }

  it('sends queries at once while every quota has room', async () => {
    const { client, tries } = fakeClient([
      {
        status: 200,
        headers: {
          [REMAINING]: 'QueriesPerHour:597,QueriesPerMin:57,QueriesPer10Sec:1',
        },
      },
    ]);
    const query = tenantPipeline();
    await query(client);
    await query(client);
    expect(tries).toEqual([0, 0]);
  });

  it('holds the next query for the window whose quota is spent, instead of meeting a 429', async () => {
    const { client, tries } = fakeClient([
      {
        status: 200,
        headers: {
          [REMAINING]: 'QueriesPerHour:588,QueriesPerMin:48,QueriesPer10Sec:0',
        },
      },
      {
        status: 200,
        headers: {
          [REMAINING]: 'QueriesPerHour:540,QueriesPerMin:0,QueriesPer10Sec:11',
        },
      },
      { status: 200 },
    ]);
    const query = tenantPipeline();
    await query(client);
    const second = query(client);
    await jest.advanceTimersByTimeAsync(9_999);
    expect(tries).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    await second;
    expect(tries).toEqual([0, 10_000]);
    const third = query(client);
    await jest.advanceTimersByTimeAsync(60_000);
    await third;
    expect(tries).toEqual([0, 10_000, 70_000]);
  });

  it('stops the queries of a tenant whose hourly quota is spent, until the hour has passed', async () => {
    const { client, tries } = fakeClient([
      {
        status: 200,
        headers: {
          [REMAINING]: 'QueriesPerHour:0,QueriesPerMin:50,QueriesPer10Sec:3',
        },
      },
      { status: 200 },
    ]);
    const query = tenantPipeline();
    await query(client);
    await expect(query(client)).rejects.toBeInstanceOf(
      CostManagementQuotaExhaustedError,
    );
    expect(tries).toEqual([0]);
    jest.setSystemTime(3_600_000);
    expect((await query(client)).status).toBe(200);
    expect(tries).toEqual([0, 3_600_000]);
  });
});
