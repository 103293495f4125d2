import {
  createHttpHeaders,
  createPipelineRequest,
  PipelineRequest,
} from '@azure/core-rest-pipeline';
import { DEFAULT_AZURE_QUOTAS } from './AzureQuotas';
import { QuotaDemand } from './QuotaBudget';
import { classifyQuotaDemands, sharedQuotaPolicy } from './sharedQuotaPolicy';

const TENANT = '11111111-1111-1111-1111-111111111111';
const PRINCIPAL = '22222222-2222-2222-2222-222222222222';
const SUBSCRIPTION = '33333333-3333-3333-3333-333333333333';

// An unsigned token with the claims the policy reads; Azure verifies tokens, the policy only reads them.
const token = [
  { alg: 'none', typ: 'JWT' },
  { tid: TENANT, oid: PRINCIPAL },
]
  .map(part => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .concat('')
  .join('.');

function request(
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown,
  authorization: string | undefined = `Bearer ${token}`,
): PipelineRequest {
  return createPipelineRequest({
    url: `https://management.azure.com${path}?api-version=2024-01-01`,
    method,
    headers: createHttpHeaders(authorization ? { authorization } : {}),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const keys = (demands: QuotaDemand[]) => demands.map(d => `${d.key}:${d.cost}`);

describe('classifyQuotaDemands', () => {
  it('charges an ARM read to the principal in its subscription, or at tenant level', () => {
    expect(
      keys(
        classifyQuotaDemands(
          request('GET', `/subscriptions/${SUBSCRIPTION}/resources`),
          DEFAULT_AZURE_QUOTAS,
        ),
      ),
    ).toEqual([`arm-read|${TENANT}|${PRINCIPAL}|${SUBSCRIPTION}:1`]);
    expect(
      keys(
        classifyQuotaDemands(
          request('GET', '/subscriptions'),
          DEFAULT_AZURE_QUOTAS,
        ),
      ),
    ).toEqual([`arm-read|${TENANT}|${PRINCIPAL}|tenant:1`]);
  });

  it('charges a Resource Graph query to the principal, and as a tenant-level read', () => {
    expect(
      keys(
        classifyQuotaDemands(
          request('POST', '/providers/Microsoft.ResourceGraph/resources', {
            query: 'resources',
          }),
          DEFAULT_AZURE_QUOTAS,
        ),
      ),
    ).toEqual([
      `arm-read|${TENANT}|${PRINCIPAL}|tenant:1`,
      `resource-graph|${TENANT}|${PRINCIPAL}:1`,
    ]);
  });

  it("charges a Cost Management query's QPU (one per month queried) to the tenant in each window", () => {
    const demands = classifyQuotaDemands(
      request(
        'POST',
        `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.CostManagement/query`,
        {
          timeframe: 'Custom',
          timePeriod: { from: '2026-01-01', to: '2026-03-31' },
        },
      ),
      DEFAULT_AZURE_QUOTAS,
    );
    expect(keys(demands)).toEqual([
      `cost-qpu-10s|${TENANT}:3`,
      `cost-qpu-1m|${TENANT}:3`,
      `cost-qpu-1h|${TENANT}:3`,
    ]);
  });

  it('leaves writes, and requests without a readable token, alone', () => {
    expect(
      classifyQuotaDemands(
        request(
          'PATCH',
          `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Resources/tags/default`,
          {},
        ),
        DEFAULT_AZURE_QUOTAS,
      ),
    ).toEqual([]);
    expect(
      classifyQuotaDemands(
        request('GET', '/subscriptions', undefined, 'Bearer not-a-jwt'),
        DEFAULT_AZURE_QUOTAS,
      ),
    ).toEqual([]);
  });
});

describe('sharedQuotaPolicy', () => {
  it('sends a request only once the budget gave its tokens, and says how long it waited', async () => {
    const events: string[] = [];
    const waits: number[] = [];
    const policy = sharedQuotaPolicy({
      budget: {
        take: async demands => {
          events.push(`take ${demands.map(d => d.key).join(',')}`);
          return 120;
        },
      },
      quotas: DEFAULT_AZURE_QUOTAS,
      onWait: waitMs => waits.push(waitMs),
    });

    await policy.sendRequest(request('GET', '/subscriptions'), async req => {
      events.push('sent');
      return { request: req, status: 200, headers: createHttpHeaders() };
    });

    expect(events).toEqual([
      `take arm-read|${TENANT}|${PRINCIPAL}|tenant`,
      'sent',
    ]);
    expect(waits).toEqual([120]);
  });

  it('takes nothing when the budget is turned off', async () => {
    const take = jest.fn();
    const policy = sharedQuotaPolicy({
      budget: { take },
      quotas: { ...DEFAULT_AZURE_QUOTAS, enabled: false },
    });
    await policy.sendRequest(request('GET', '/subscriptions'), async req => ({
      request: req,
      status: 200,
      headers: createHttpHeaders(),
    }));
    expect(take).not.toHaveBeenCalled();
  });
});
