import { CostManagementClient } from '@azure/arm-costmanagement';
import { emulatorClientOptions } from '../clientOptions';
import {
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
} from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  appCredential,
  rawRequest,
  RawResponse,
  startTestEmulator,
} from '../__testUtils__/emulatorTestKit';

/*
 * Cost Management's throttling and answers, as Azure documents them:
 *
 * - Microsoft Learn, "Manage costs with automation" › "Query API query processing units"
 *   (https://learn.microsoft.com/azure/cost-management-billing/costs/manage-automation#query-api-query-processing-units):
 *   one QPU per month of data queried; per tenant 12 QPU per 10 seconds, 60 per minute, 600 per hour, throttled when
 *   any is exhausted; the headers `x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after` (the wait of a 429, in
 *   seconds), `…-qpu-consumed` and `…-qpu-remaining`.
 * - The remaining quotas' format, `QueriesPerHour:597,QueriesPerMin:57,QueriesPer10Sec:9`, and the 429's body
 *   `{"error":{"code":"429","message":"Too many requests. Please retry."}}` (Microsoft Q&A 1488793, "CostManagement
 *   Query operation - too many request"), with no standard `Retry-After`.
 * - azure-rest-api-specs, specification/cost-management/resource-manager/Microsoft.CostManagement/stable/2023-03-01/
 *   costmanagement.json, `Query_Usage`: responses 200, "204: No Content" and default.
 * - Monthly granularity answers a `BillingMonth` column instead of `UsageDate` (Azure/azure-powershell,
 *   src/CostManagement/CostManagement.Autorest/examples/Invoke-AzCostManagementQuery.md, Example 2:
 *   `-DatasetGranularity 'Monthly'` → columns `{BillingMonth, Currency}`); the Azure SDKs' `GranularityType` has
 *   `Daily` and `Monthly` (learn.microsoft.com/dotnet/api/azure.resourcemanager.costmanagement.models.granularitytype).
 */

const PLATFORM_SUB = DEMO_SUBSCRIPTIONS.platform;
const DATA_SUB = DEMO_SUBSCRIPTIONS.dataEurope;
const REMAINING = 'x-ms-ratelimit-microsoft.costmanagement-qpu-remaining';
const CONSUMED = 'x-ms-ratelimit-microsoft.costmanagement-qpu-consumed';
const QPU_RETRY_AFTER =
  'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after';
const DAY = 86_400_000;

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
}

/** A Custom query over the last `days` days (up to yesterday). */
function customQuery(days: number, dataset: object = {}) {
  return {
    type: 'ActualCost',
    timeframe: 'Custom',
    timePeriod: {
      from: `${isoDay(-days)}T00:00:00Z`,
      to: `${isoDay(-1)}T23:59:59Z`,
    },
    dataset: {
      granularity: 'Daily',
      aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
      ...dataset,
    },
  };
}

describe('Cost Management throttling and answers', () => {
  let emulator: AzureEmulator;
  let token: string;

  beforeAll(async () => {
    emulator = await startTestEmulator({ throttling: { enabled: true } });
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    emulator.control.reset();
    emulator.control.configureThrottling({
      enabled: true,
      costManagement: { per10Seconds: 12, perMinute: 60, perHour: 600 },
    });
    const sp = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
    for (const subscription of [PLATFORM_SUB, DATA_SUB]) {
      emulator.control.assignRole({
        scope: `/subscriptions/${subscription}`,
        principalId: sp.objectId,
        role: 'Reader',
      });
    }
    token = (await appCredential(emulator).getToken(
      'https://management.azure.com/.default',
    ))!.token;
  });

  function post(
    body: object,
    subscription: string = PLATFORM_SUB,
  ): Promise<RawResponse> {
    return rawRequest(
      emulator,
      'POST',
      `/subscriptions/${subscription}/providers/Microsoft.CostManagement/query?api-version=2023-03-01`,
      { headers: { authorization: `Bearer ${token}` }, body },
    );
  }

  async function advanceClock(ms: number) {
    const res = await rawRequest(emulator, 'POST', '/_emulator/clock', {
      body: { advanceMs: ms },
    });
    expect(res.status).toBe(204);
  }

  describe('query processing units', () => {
    it('names the QPU consumed and what is left of each quota, in Azure’s format', async () => {
      const first = await post(customQuery(7));
      expect(first.status).toBe(200);
      expect(first.headers[CONSUMED]).toBe('1');
      expect(first.headers[REMAINING]).toBe(
        'QueriesPerHour:599,QueriesPerMin:59,QueriesPer10Sec:11',
      );
      // One QPU per month of data: 90 days are 3.
      const quarter = await post(customQuery(90));
      expect(quarter.status).toBe(200);
      expect(quarter.headers[CONSUMED]).toBe('3');
      expect(quarter.headers[REMAINING]).toBe(
        'QueriesPerHour:596,QueriesPerMin:56,QueriesPer10Sec:8',
      );
    });

    it('throttles the tenant with 429, no Retry-After, and the wait in the QPU header; the wait is enough', async () => {
      // Two subscriptions of one tenant share its quotas.
      for (let i = 0; i < 6; i++) {
        expect((await post(customQuery(7), PLATFORM_SUB)).status).toBe(200);
        expect((await post(customQuery(7), DATA_SUB)).status).toBe(200);
      }
      const throttled = await post(customQuery(7));
      expect(throttled.status).toBe(429);
      expect(throttled.json()).toEqual({
        error: { code: '429', message: 'Too many requests. Please retry.' },
      });
      expect(throttled.headers['retry-after']).toBeUndefined();
      expect(throttled.headers['retry-after-ms']).toBeUndefined();
      expect(throttled.headers[REMAINING]).toBe(
        'QueriesPerHour:588,QueriesPerMin:48,QueriesPer10Sec:0',
      );
      const wait = Number(throttled.headers[QPU_RETRY_AFTER]);
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(10);
      // After the wait it asked for, the query goes through; the throttled one consumed nothing.
      await advanceClock(wait * 1000);
      const retried = await post(customQuery(7));
      expect(retried.status).toBe(200);
      expect(retried.headers[CONSUMED]).toBe('1');
      expect(retried.headers[REMAINING]).toMatch(
        /^QueriesPerHour:587,QueriesPerMin:47,QueriesPer10Sec:\d+$/,
      );
    });

    it('throttles on the minute quota once the 10-second windows have passed, with a wait up to the minute', async () => {
      for (let batch = 0; batch < 5; batch++) {
        for (let i = 0; i < 12; i++) {
          expect((await post(customQuery(7))).status).toBe(200);
        }
        await advanceClock(10_000);
      }
      const throttled = await post(customQuery(7));
      expect(throttled.status).toBe(429);
      expect(throttled.headers[REMAINING]).toBe(
        'QueriesPerHour:540,QueriesPerMin:0,QueriesPer10Sec:12',
      );
      // The first batch leaves the minute 60 s after it was charged: about 10 s from now.
      const wait = Number(throttled.headers[QPU_RETRY_AFTER]);
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(10);
      await advanceClock(wait * 1000);
      expect((await post(customQuery(7))).status).toBe(200);
    });

    it('throttles on the hour quota, with its own wait', async () => {
      const configured = await rawRequest(
        emulator,
        'PUT',
        '/_emulator/throttling',
        { body: { costManagement: { perHour: 3 } } },
      );
      expect(configured.status).toBe(200);
      expect(configured.json().costManagement).toEqual({
        per10Seconds: 12,
        perMinute: 60,
        perHour: 3,
      });
      expect((await post(customQuery(90))).status).toBe(200);
      const throttled = await post(customQuery(7));
      expect(throttled.status).toBe(429);
      expect(throttled.headers[REMAINING]).toBe(
        'QueriesPerHour:0,QueriesPerMin:57,QueriesPer10Sec:9',
      );
      const wait = Number(throttled.headers[QPU_RETRY_AFTER]);
      expect(wait).toBeGreaterThan(3_500);
      expect(wait).toBeLessThanOrEqual(3_600);
      await advanceClock(wait * 1000);
      // Tokens last an hour on the emulator's clock too.
      token = (await appCredential(emulator).getToken(
        'https://management.azure.com/.default',
      ))!.token;
      expect((await post(customQuery(7))).status).toBe(200);
    });

    it('refuses quotas that are not whole numbers of at least 1, and changes nothing', async () => {
      for (const costManagement of [
        { per10Seconds: 0 },
        { perMinute: 'many' },
        { capacity: 12, refillPerSecond: 0.2 },
        [12],
      ]) {
        const res = await rawRequest(emulator, 'PUT', '/_emulator/throttling', {
          body: { costManagement },
        });
        expect(res.status).toBe(400);
        expect(res.json().error.code).toBe('InvalidThrottling');
      }
      expect(emulator.control.summary().throttling).toMatchObject({
        costManagement: { per10Seconds: 12, perMinute: 60, perHour: 600 },
      });
    });

    it('never throttles when throttling is off, and names the full quotas', async () => {
      emulator.control.configureThrottling({ enabled: false });
      for (let i = 0; i < 15; i++) {
        const res = await post(customQuery(7));
        expect(res.status).toBe(200);
        expect(res.headers[REMAINING]).toBe(
          'QueriesPerHour:600,QueriesPerMin:60,QueriesPer10Sec:12',
        );
      }
    });
  });

  describe('answers', () => {
    it('answers a query with no rows 204 without a body', async () => {
      const res = await post(
        customQuery(7, {
          filter: {
            dimensions: {
              name: 'ResourceGroupName',
              operator: 'In',
              values: ['no-such-group'],
            },
          },
        }),
      );
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      // The SDK takes it as a success without a result.
      const client = new CostManagementClient(
        appCredential(emulator),
        emulatorClientOptions(emulator),
      );
      const result = await client.query.usage(
        `/subscriptions/${PLATFORM_SUB}`,
        {
          type: 'ActualCost',
          timeframe: 'MonthToDate',
          dataset: {
            filter: {
              dimensions: {
                name: 'ResourceGroupName',
                operator: 'In',
                values: ['no-such-group'],
              },
            },
          },
        },
      );
      expect(result.rows ?? []).toEqual([]);
    });

    it('sums by month with Monthly granularity, in a BillingMonth column', async () => {
      const from = new Date(Date.now() - 70 * DAY);
      const to = new Date(Date.now() - DAY);
      const period = {
        from: `${from.toISOString().slice(0, 10)}T00:00:00Z`,
        to: `${to.toISOString().slice(0, 10)}T23:59:59Z`,
      };
      const monthly = await post({
        type: 'ActualCost',
        timeframe: 'Custom',
        timePeriod: period,
        dataset: {
          granularity: 'Monthly',
          aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
        },
      });
      expect(monthly.status).toBe(200);
      const { columns, rows } = monthly.json().properties;
      expect(columns).toEqual([
        { name: 'Cost', type: 'Number' },
        { name: 'BillingMonth', type: 'Datetime' },
        { name: 'Currency', type: 'String' },
      ]);
      // 70 days touch three calendar months (or four), each named by its first day.
      const months = new Set<string>();
      for (let t = from.getTime(); t <= to.getTime(); t += DAY) {
        months.add(`${new Date(t).toISOString().slice(0, 7)}-01T00:00:00`);
      }
      expect(rows.map((r: any[]) => r[1])).toEqual([...months]);

      // The months add up to the days of the same period.
      const daily = await post({
        type: 'ActualCost',
        timeframe: 'Custom',
        timePeriod: period,
        dataset: {
          granularity: 'Daily',
          aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
        },
      });
      const dailyRows: any[][] = daily.json().properties.rows;
      for (const row of rows) {
        const month = String(row[1]).slice(0, 7).replace('-', '');
        const sum = dailyRows
          .filter(d => String(d[1]).startsWith(month))
          .reduce((total, d) => total + d[0], 0);
        expect(row[0]).toBeCloseTo(sum, 6);
      }
    });

    it('refuses a granularity Azure does not have', async () => {
      const res = await post(customQuery(7, { granularity: 'Hourly' }));
      expect(res.status).toBe(400);
      expect(res.json().error.message).toContain("granularity 'Hourly'");
    });
  });
});
