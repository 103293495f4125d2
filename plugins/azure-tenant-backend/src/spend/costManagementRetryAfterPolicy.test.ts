import {
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  HttpClient,
  PipelineResponse,
} from '@azure/core-rest-pipeline';
import { costManagementRetryAfterPolicy } from './costManagementRetryAfterPolicy';

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
