import {
  createHttpHeaders,
  createPipelineRequest,
  PipelineResponse,
} from '@azure/core-rest-pipeline';
import {
  quotaResetsAfterMs,
  resourceGraphQuotaPolicy,
} from './resourceGraphQuotaPolicy';

const request = createPipelineRequest({
  url: 'https://management.azure.com/providers/Microsoft.ResourceGraph/resources',
  method: 'POST',
});

function answer(status: number, headers: Record<string, string>) {
  return async (): Promise<PipelineResponse> => ({
    request,
    status,
    headers: createHttpHeaders(headers),
  });
}

describe('resourceGraphQuotaPolicy', () => {
  it("reads Resource Graph's hh:mm:ss reset times", () => {
    expect(quotaResetsAfterMs('00:00:03')).toBe(3000);
    expect(quotaResetsAfterMs('00:01:02.5')).toBe(62_500);
    expect(quotaResetsAfterMs('soon')).toBeUndefined();
    expect(quotaResetsAfterMs(undefined)).toBeUndefined();
  });

  it('gives a 429 without Retry-After the wait until the quota resets, so that the SDK retries it then', async () => {
    const policy = resourceGraphQuotaPolicy();
    const response = await policy.sendRequest(
      request,
      answer(429, {
        'x-ms-user-quota-remaining': '0',
        'x-ms-user-quota-resets-after': '00:00:03',
      }),
    );
    expect(response.headers.get('retry-after-ms')).toBe('3000');

    const capped = await resourceGraphQuotaPolicy({
      maxWaitMs: 1000,
    }).sendRequest(request, answer(429, {}));
    expect(capped.headers.get('retry-after-ms')).toBe('1000');
  });

  it('leaves a wait that Azure named alone', async () => {
    const response = await resourceGraphQuotaPolicy().sendRequest(
      request,
      answer(429, {
        'retry-after': '7',
        'x-ms-user-quota-resets-after': '00:00:03',
      }),
    );
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.has('retry-after-ms')).toBe(false);
  });

  it('holds the next query back until a spent quota resets, instead of meeting a 429', async () => {
    const waits: number[] = [];
    const policy = resourceGraphQuotaPolicy({ onWait: ms => waits.push(ms) });
    await policy.sendRequest(
      request,
      answer(200, {
        'x-ms-user-quota-remaining': '5',
        'x-ms-user-quota-resets-after': '00:00:04',
      }),
    );
    await policy.sendRequest(request, answer(200, {}));
    expect(waits).toEqual([]);

    await policy.sendRequest(
      request,
      answer(200, {
        'x-ms-user-quota-remaining': '0',
        'x-ms-user-quota-resets-after': '00:00:00.2',
      }),
    );
    const sent = jest.fn(answer(200, {}));
    await policy.sendRequest(request, sent);
    expect(sent).toHaveBeenCalledTimes(1);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(200);
  });
});
