import { DEMO_APP, DEMO_TENANT } from '../model/demoIdentities';
import { DEMO_SUBSCRIPTIONS } from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  appCredential,
  expectMatchesExample,
  rawRequest,
  startTestEmulator,
} from '../__testUtils__/emulatorTestKit';

const PLATFORM_SUB = DEMO_SUBSCRIPTIONS.platform;
const PAYMENTS_SUB = DEMO_SUBSCRIPTIONS.payments;
const DATA_SUB = DEMO_SUBSCRIPTIONS.dataEurope;
const API = 'api-version=2023-05-01';

// specification/consumption/resource-manager/Microsoft.Consumption/stable/2023-05-01/examples/Budget.json
const BUDGET_EXAMPLE = {
  id: 'subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/MYDEVTESTRG/providers/Microsoft.Consumption/budgets/TestBudget',
  name: 'TestBudget',
  type: 'Microsoft.Consumption/budgets',
  eTag: '"1d34d012214157f"',
  properties: {
    category: 'Cost',
    amount: 100.65,
    timeGrain: 'Monthly',
    timePeriod: {
      startDate: '2017-10-01T00:00:00Z',
      endDate: '2018-10-31T00:00:00Z',
    },
    currentSpend: { amount: 80.89, unit: 'USD' },
  },
};
// The same example's notification (`notifications` maps names the budget chooses to these).
const NOTIFICATION_EXAMPLE = {
  enabled: true,
  operator: 'GreaterThan',
  threshold: 80,
  contactEmails: ['johndoe@contoso.com', 'janesmith@contoso.com'],
  contactRoles: ['Contributor', 'Reader'],
  contactGroups: [
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/MYDEVTESTRG/providers/microsoft.insights/actionGroups/SampleActionGroup',
  ],
  thresholdType: 'Actual',
};

/** Checks a budget field by field against the spec example (its `filter` is optional, so left out). */
function expectBudgetLikeExample(budget: any): void {
  expectMatchesExample(budget, BUDGET_EXAMPLE);
  expect(typeof budget.properties.notifications).toBe('object');
  for (const notification of Object.values(budget.properties.notifications)) {
    expectMatchesExample(notification, NOTIFICATION_EXAMPLE);
  }
}

function monthToDate(filter?: object) {
  return {
    type: 'ActualCost',
    timeframe: 'MonthToDate',
    dataset: {
      aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
      ...(filter ? { filter } : {}),
    },
  };
}

describe('Microsoft.Consumption budgets', () => {
  let emulator: AzureEmulator;
  let principalId: string;

  beforeAll(async () => {
    // Small pages, so that three budgets page with nextLink.
    emulator = await startTestEmulator({
      resourcePageSize: 2,
      throttling: { enabled: false },
    });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.control.reset();
    principalId = emulator.control.consent(
      DEMO_TENANT.id,
      DEMO_APP.clientId,
    ).objectId;
    emulator.control.assignRole({
      scope: `/subscriptions/${PLATFORM_SUB}`,
      principalId,
      role: 'Reader',
    });
    emulator.control.assignRole({
      scope: `/subscriptions/${DATA_SUB}`,
      principalId,
      role: 'Reader',
    });
  });

  const token = async () =>
    (await appCredential(emulator).getToken(
      'https://management.azure.com/.default',
    ))!.token;
  const get = async (path: string) =>
    rawRequest(emulator, 'GET', path, {
      headers: { authorization: `Bearer ${await token()}` },
    });
  const monthToDateCost = async (subscriptionId: string, filter?: object) => {
    const res = await rawRequest(
      emulator,
      'POST',
      `/subscriptions/${subscriptionId}/providers/Microsoft.CostManagement/query?api-version=2022-10-01`,
      {
        headers: { authorization: `Bearer ${await token()}` },
        body: monthToDate(filter),
      },
    );
    expect(res.status).toBe(200);
    return res.json().properties.rows[0][0] as number;
  };

  describe('GET /subscriptions/{s}/providers/Microsoft.Consumption/budgets/{name}', () => {
    it('answers in the shape of the spec example, with the month-to-date spend of the cost model', async () => {
      const res = await get(
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Consumption/budgets/platform-monthly?${API}`,
      );
      expect(res.status).toBe(200);
      const budget = res.json();
      expectBudgetLikeExample(budget);
      expect(budget.id).toBe(
        `subscriptions/${PLATFORM_SUB}/providers/Microsoft.Consumption/budgets/platform-monthly`,
      );
      expect(budget.type).toBe('Microsoft.Consumption/budgets');
      expect(budget.eTag).toMatch(/^"[0-9a-f]{15}"$/);
      expect(budget.properties).toMatchObject({
        category: 'Cost',
        amount: 10000,
        timeGrain: 'Monthly',
        timePeriod: {
          startDate: '2025-01-01T00:00:00Z',
          // "If not provided, we default this to 10 years from the start date."
          endDate: '2035-01-01T00:00:00Z',
        },
      });
      expect(budget.properties.currentSpend.unit).toBe('USD');
      expect(budget.properties.currentSpend.amount).toBeCloseTo(
        await monthToDateCost(PLATFORM_SUB),
        2,
      );
      expect(budget.properties.forecastSpend.unit).toBe('USD');
      expect(budget.properties.forecastSpend.amount).toBeGreaterThanOrEqual(
        budget.properties.currentSpend.amount,
      );
      expect(
        budget.properties.notifications.Forecasted_GreaterThan_100_Percent,
      ).toEqual({
        enabled: true,
        operator: 'GreaterThan',
        threshold: 100,
        contactEmails: ['platform-team@contoso.example'],
        contactRoles: [],
        contactGroups: [],
        thresholdType: 'Forecasted',
      });
    });

    it("spends only what the budget's filter covers, in the subscription's currency", async () => {
      const res = await get(
        `/subscriptions/${DATA_SUB}/providers/Microsoft.Consumption/budgets/DATA-SANDBOX?${API}`,
      );
      expect(res.status).toBe(200);
      const { properties } = res.json();
      expect(properties.currentSpend.unit).toBe('EUR');
      const filter = {
        dimensions: {
          name: 'ResourceGroupName',
          operator: 'In',
          values: ['rg-sandbox'],
        },
      };
      expect(properties.filter).toEqual(filter);
      const sandbox = await monthToDateCost(DATA_SUB, filter);
      expect(properties.currentSpend.amount).toBeCloseTo(sandbox, 2);
      expect(properties.currentSpend.amount).toBeLessThan(
        await monthToDateCost(DATA_SUB),
      );
    });

    it("answers an unknown budget with 404 in ARM's error shape", async () => {
      const res = await get(
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Consumption/budgets/nope?${API}`,
      );
      expect(res.status).toBe(404);
      expect(res.json()).toEqual({
        error: {
          code: 'NotFound',
          message: expect.stringContaining("'nope'"),
          details: [],
        },
      });
    });

    it('refuses a caller without a role on the subscription with 403 AuthorizationFailed', async () => {
      const res = await get(
        `/subscriptions/${PAYMENTS_SUB}/providers/Microsoft.Consumption/budgets?${API}`,
      );
      expect(res.status).toBe(403);
      expect(res.json().error.code).toBe('AuthorizationFailed');
      expect(res.json().error.message).toContain(
        "'Microsoft.Consumption/budgets/read'",
      );
    });

    it('refuses Tag Contributor, which cannot read budgets', async () => {
      emulator.control.assignRole({
        scope: `/subscriptions/${PAYMENTS_SUB}`,
        principalId,
        role: 'Tag Contributor',
      });
      const res = await get(
        `/subscriptions/${PAYMENTS_SUB}/providers/Microsoft.Consumption/budgets?${API}`,
      );
      expect(res.status).toBe(403);
      expect(res.json().error.code).toBe('AuthorizationFailed');
    });

    it('checks the api-version as ARM does for a proxy type', async () => {
      const res = await get(
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Consumption/budgets?api-version=2016-01-01`,
      );
      expect(res.status).toBe(404);
      expect(res.json().error.code).toBe('InvalidResourceType');
      expect(res.json().error.message).toContain('2023-05-01');
    });

    it('does not serve budget writes, and writes nothing', async () => {
      const res = await rawRequest(
        emulator,
        'PUT',
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Consumption/budgets/new-one?${API}`,
        {
          headers: { authorization: `Bearer ${await token()}` },
          body: { properties: { category: 'Cost', amount: 1 } },
        },
      );
      expect(res.status).toBe(405);
      expect(res.json().error.code).toBe('MethodNotAllowed');
      expect(
        (
          await get(
            `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Consumption/budgets/new-one?${API}`,
          )
        ).status,
      ).toBe(404);
    });
  });

  describe('GET /subscriptions/{s}/providers/Microsoft.Consumption/budgets', () => {
    it('lists the budgets in the shape of the spec example, paging with nextLink', async () => {
      emulator.control.addBudget(PLATFORM_SUB, {
        name: 'aks-quarterly',
        amount: 20000,
        timeGrain: 'Quarterly',
        timePeriod: { startDate: '2026-01-01' },
        filter: {
          dimensions: {
            name: 'ServiceName',
            operator: 'In',
            values: ['Azure Kubernetes Service'],
          },
        },
      });
      emulator.control.addBudget(PLATFORM_SUB, {
        name: 'zz-annual',
        amount: 100000,
        timeGrain: 'Annually',
        timePeriod: { startDate: '2026-01-01' },
      });
      const first = await get(
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Consumption/budgets?${API}`,
      );
      expect(first.status).toBe(200);
      // specification/consumption/resource-manager/Microsoft.Consumption/stable/2023-05-01/examples/BudgetsList.json
      expect(Array.isArray(first.json().value)).toBe(true);
      first.json().value.forEach(expectBudgetLikeExample);
      expect(first.json().value.map((b: any) => b.name)).toEqual([
        'aks-quarterly',
        'platform-monthly',
      ]);
      const nextLink: string = first.json().nextLink;
      expect(nextLink).toMatch(
        new RegExp(`^${emulator.url}/subscriptions/${PLATFORM_SUB}/`),
      );
      const second = await get(nextLink.slice(emulator.url.length));
      expect(second.status).toBe(200);
      expect(second.json().value.map((b: any) => b.name)).toEqual([
        'zz-annual',
      ]);
      expect(second.json().nextLink).toBeUndefined();
      const annual = second.json().value[0].properties;
      expect(annual.timePeriod.startDate).toBe('2026-01-01T00:00:00Z');
    });

    it('lists an empty value for a subscription without budgets', async () => {
      emulator.control.assignRole({
        scope: `/subscriptions/${PAYMENTS_SUB}`,
        principalId,
        role: 'Reader',
      });
      const res = await get(
        `/subscriptions/${PAYMENTS_SUB}/providers/Microsoft.Consumption/budgets?${API}`,
      );
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ value: [] });
    });
  });

  describe('control API', () => {
    it('creates and deletes budgets, refusing a malformed one', async () => {
      const created = await rawRequest(
        emulator,
        'POST',
        `/_emulator/subscriptions/${PAYMENTS_SUB}/budgets`,
        { body: { name: 'payments', amount: 5000 } },
      );
      expect(created.status).toBe(201);
      expect(created.json()).toMatchObject({
        name: 'payments',
        amount: 5000,
        timeGrain: 'Monthly',
      });
      const badStart = await rawRequest(
        emulator,
        'POST',
        `/_emulator/subscriptions/${PAYMENTS_SUB}/budgets`,
        {
          body: {
            name: 'bad',
            amount: 5,
            timePeriod: { startDate: '2026-01-15' },
          },
        },
      );
      expect(badStart.status).toBe(400);
      expect(badStart.json().error.code).toBe('InvalidBudget');
      const badAmount = await rawRequest(
        emulator,
        'POST',
        `/_emulator/subscriptions/${PAYMENTS_SUB}/budgets`,
        { body: { name: 'bad', amount: 0 } },
      );
      expect(badAmount.status).toBe(400);

      emulator.control.assignRole({
        scope: `/subscriptions/${PAYMENTS_SUB}`,
        principalId,
        role: 'Reader',
      });
      const read = await get(
        `/subscriptions/${PAYMENTS_SUB}/providers/Microsoft.Consumption/budgets/payments?${API}`,
      );
      expect(read.status).toBe(200);
      expect(read.json().properties.amount).toBe(5000);

      const deleted = await rawRequest(
        emulator,
        'DELETE',
        `/_emulator/subscriptions/${PAYMENTS_SUB}/budgets/payments`,
      );
      expect(deleted.status).toBe(204);
      expect(
        (
          await get(
            `/subscriptions/${PAYMENTS_SUB}/providers/Microsoft.Consumption/budgets/payments?${API}`,
          )
        ).status,
      ).toBe(404);
      const again = await rawRequest(
        emulator,
        'DELETE',
        `/_emulator/subscriptions/${PAYMENTS_SUB}/budgets/payments`,
      );
      expect(again.status).toBe(404);
    });
  });
});
