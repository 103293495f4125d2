import { DEMO_APP, DEMO_TENANT } from '../model/demoIdentities';
import { DEMO_SUBSCRIPTIONS } from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  appCredential,
  rawRequest,
  startTestEmulator,
} from '../__testUtils__/emulatorTestKit';
import { dayNumberOf, usageDateOf } from './CostModel';

const PLATFORM_SUB = DEMO_SUBSCRIPTIONS.platform;
const PAYMENTS_SUB = DEMO_SUBSCRIPTIONS.payments;
const DAY = 86_400_000;

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
}

/** `UsageDate` of the day `offsetDays` from today. */
function usageDay(offsetDays: number): number {
  return usageDateOf(dayNumberOf(Date.now()) + offsetDays);
}

describe('cost scenarios', () => {
  let emulator: AzureEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator({ throttling: { enabled: false } });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.control.reset();
    const sp = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
    for (const subscriptionId of [PLATFORM_SUB, PAYMENTS_SUB]) {
      emulator.control.assignRole({
        scope: `/subscriptions/${subscriptionId}`,
        principalId: sp.objectId,
        role: 'Reader',
      });
    }
  });

  const token = async () =>
    (await appCredential(emulator).getToken(
      'https://management.azure.com/.default',
    ))!.token;

  /** Daily cost by `UsageDate` (and service, when grouped) from Cost Management's query or forecast. */
  async function dailyCosts(
    subscriptionId: string,
    operation: 'query' | 'forecast',
    from: string,
    to: string,
    byService = false,
  ): Promise<Map<string, number>> {
    const res = await rawRequest(
      emulator,
      'POST',
      `/subscriptions/${subscriptionId}/providers/Microsoft.CostManagement/${operation}?api-version=2022-10-01`,
      {
        headers: { authorization: `Bearer ${await token()}` },
        body: {
          type: 'ActualCost',
          timeframe: 'Custom',
          timePeriod: { from: `${from}T00:00:00Z`, to: `${to}T23:59:59Z` },
          dataset: {
            granularity: 'Daily',
            aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
            ...(byService
              ? { grouping: [{ type: 'Dimension', name: 'ServiceName' }] }
              : {}),
          },
          ...(operation === 'forecast' ? { includeActualCost: true } : {}),
        },
      },
    );
    expect(res.status).toBe(200);
    const { columns, rows } = res.json().properties;
    const names = columns.map((c: { name: string }) => c.name);
    const cost = names.indexOf('Cost');
    const date = names.indexOf('UsageDate');
    const service = names.indexOf('ServiceName');
    return new Map(
      rows.map((row: any[]) => [
        byService ? `${row[date]}|${row[service]}` : String(row[date]),
        row[cost] as number,
      ]),
    );
  }

  it('spike: one service of one subscription costs k times its usual from the given day, nothing else moves', async () => {
    const before = await dailyCosts(
      PLATFORM_SUB,
      'query',
      isoDay(-6),
      isoDay(0),
      true,
    );
    const otherBefore = await dailyCosts(
      PAYMENTS_SUB,
      'query',
      isoDay(-6),
      isoDay(0),
    );
    emulator.control.addCostScenario({
      kind: 'spike',
      subscriptionId: PLATFORM_SUB,
      serviceName: 'virtual machines',
      factor: 4,
      from: isoDay(-2),
    });
    const after = await dailyCosts(
      PLATFORM_SUB,
      'query',
      isoDay(-6),
      isoDay(0),
      true,
    );
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    let spiked = 0;
    for (const [key, cost] of before) {
      const [date, service] = key.split('|');
      const inSpike =
        service === 'Virtual Machines' && Number(date) >= usageDay(-2);
      expect(after.get(key)).toBeCloseTo(inSpike ? cost * 4 : cost, 6);
      if (inSpike) spiked++;
    }
    expect(spiked).toBe(3);
    // Another subscription is untouched.
    expect(
      await dailyCosts(PAYMENTS_SUB, 'query', isoDay(-6), isoDay(0)),
    ).toEqual(otherBefore);
  });

  it('steady growth: day n after the start costs (1 + p/100)^n times its usual, in queries and forecasts', async () => {
    const actualBefore = await dailyCosts(
      PLATFORM_SUB,
      'query',
      isoDay(-5),
      isoDay(0),
    );
    const forecastBefore = await dailyCosts(
      PLATFORM_SUB,
      'forecast',
      isoDay(1),
      isoDay(5),
    );
    emulator.control.addCostScenario({
      kind: 'steady-growth',
      subscriptionId: PLATFORM_SUB,
      percentPerDay: 10,
      from: isoDay(-3),
    });
    const actualAfter = await dailyCosts(
      PLATFORM_SUB,
      'query',
      isoDay(-5),
      isoDay(0),
    );
    for (let offset = -5; offset <= 0; offset++) {
      const key = String(usageDay(offset));
      const growthDays = Math.max(0, offset + 3);
      expect(actualAfter.get(key)).toBeCloseTo(
        actualBefore.get(key)! * 1.1 ** growthDays,
        6,
      );
    }
    const forecastAfter = await dailyCosts(
      PLATFORM_SUB,
      'forecast',
      isoDay(1),
      isoDay(5),
    );
    for (let offset = 1; offset <= 5; offset++) {
      const key = String(usageDay(offset));
      expect(forecastAfter.get(key)).toBeCloseTo(
        forecastBefore.get(key)! * 1.1 ** (offset + 3),
        6,
      );
    }
  });

  it("moves a budget's current spend", async () => {
    const budgetPath = `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Consumption/budgets/platform-monthly?api-version=2023-05-01`;
    const spend = async () =>
      (
        await rawRequest(emulator, 'GET', budgetPath, {
          headers: { authorization: `Bearer ${await token()}` },
        })
      ).json().properties.currentSpend.amount as number;
    const before = await spend();
    emulator.control.addCostScenario({
      kind: 'spike',
      subscriptionId: PLATFORM_SUB,
      serviceName: 'Virtual Machines',
      factor: 10,
      from: isoDay(0),
    });
    expect(await spend()).toBeGreaterThan(before);
  });

  describe('control API', () => {
    it('switches scenarios on, lists them, refuses malformed ones and switches them off', async () => {
      const baseline = await dailyCosts(
        PLATFORM_SUB,
        'query',
        isoDay(-1),
        isoDay(0),
      );
      const created = await rawRequest(
        emulator,
        'POST',
        '/_emulator/cost-scenarios',
        {
          body: {
            kind: 'steady-growth',
            subscriptionId: PLATFORM_SUB,
            percentPerDay: 50,
            from: isoDay(-1),
          },
        },
      );
      expect(created.status).toBe(201);
      const { id } = created.json();
      expect(id).toEqual(expect.any(String));
      const listed = await rawRequest(
        emulator,
        'GET',
        '/_emulator/cost-scenarios',
      );
      expect(listed.json().value).toEqual([
        {
          id,
          kind: 'steady-growth',
          subscriptionId: PLATFORM_SUB,
          percentPerDay: 50,
          from: isoDay(-1),
        },
      ]);
      const grown = await dailyCosts(
        PLATFORM_SUB,
        'query',
        isoDay(-1),
        isoDay(0),
      );
      expect(grown.get(String(usageDay(0)))).toBeCloseTo(
        baseline.get(String(usageDay(0)))! * 1.5,
        6,
      );

      for (const body of [
        { kind: 'spike', subscriptionId: PLATFORM_SUB, factor: 2 },
        {
          kind: 'spike',
          subscriptionId: PLATFORM_SUB,
          serviceName: 'Storage',
          factor: 0,
        },
        { kind: 'steady-growth', subscriptionId: PLATFORM_SUB },
        { kind: 'surge', subscriptionId: PLATFORM_SUB },
        {
          kind: 'steady-growth',
          subscriptionId: PLATFORM_SUB,
          percentPerDay: 1,
          from: 'yesterday',
        },
      ]) {
        const refused = await rawRequest(
          emulator,
          'POST',
          '/_emulator/cost-scenarios',
          { body },
        );
        expect(refused.status).toBe(400);
        expect(refused.json().error.code).toBe('InvalidCostScenario');
      }
      const unknownSubscription = await rawRequest(
        emulator,
        'POST',
        '/_emulator/cost-scenarios',
        {
          body: {
            kind: 'steady-growth',
            subscriptionId: '00000000-0000-0000-0000-000000000000',
            percentPerDay: 1,
          },
        },
      );
      expect(unknownSubscription.status).toBe(404);

      expect(
        (
          await rawRequest(
            emulator,
            'DELETE',
            `/_emulator/cost-scenarios/${id}`,
          )
        ).status,
      ).toBe(204);
      expect(
        (
          await rawRequest(
            emulator,
            'DELETE',
            `/_emulator/cost-scenarios/${id}`,
          )
        ).status,
      ).toBe(404);
      expect(
        await dailyCosts(PLATFORM_SUB, 'query', isoDay(-1), isoDay(0)),
      ).toEqual(baseline);
    });

    it('are switched off by a reset', async () => {
      emulator.control.addCostScenario({
        kind: 'steady-growth',
        subscriptionId: PLATFORM_SUB,
        percentPerDay: 5,
      });
      emulator.control.reset();
      expect(emulator.control.listCostScenarios()).toEqual([]);
    });
  });
});
