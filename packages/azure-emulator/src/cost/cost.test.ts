import {
  CostManagementClient,
  QueryDefinition,
} from '@azure/arm-costmanagement';
import {
  createHttpHeaders,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import { emulatorClientOptions } from '../clientOptions';
import { DEMO_APP, DEMO_TENANT } from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  appCredential,
  expectMatchesExample,
  rawRequest,
  startTestEmulator,
} from '../__testUtils__/emulatorTestKit';
import { dayNumberOf, usageDateOf } from './CostModel';
import { DEMO_SUBSCRIPTIONS } from '../model/demoIdentities';

const PLATFORM_SUB = DEMO_SUBSCRIPTIONS.platform;
const DATA_SUB = DEMO_SUBSCRIPTIONS.dataEurope;
const PAYMENTS_SUB = DEMO_SUBSCRIPTIONS.payments;
const DAY = 86_400_000;

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
}

function query(
  overrides: Partial<QueryDefinition> & {
    dataset?: QueryDefinition['dataset'];
  },
): QueryDefinition {
  return {
    type: 'ActualCost',
    timeframe: 'Custom',
    timePeriod: {
      from: new Date(`${isoDay(-7)}T00:00:00Z`),
      to: new Date(`${isoDay(-1)}T23:59:59Z`),
    },
    dataset: {
      granularity: 'Daily',
      aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
    },
    ...overrides,
  };
}

describe('Cost Management', () => {
  let emulator: AzureEmulator;
  let client: CostManagementClient;

  beforeAll(async () => {
    emulator = await startTestEmulator({
      costQueryPageSize: 50,
      throttling: { enabled: false },
    });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.control.reset();
    const sp = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
    emulator.control.assignRole({
      scope: `/subscriptions/${PLATFORM_SUB}`,
      principalId: sp.objectId,
      role: 'Reader',
    });
    emulator.control.assignRole({
      scope: `/subscriptions/${DATA_SUB}`,
      principalId: sp.objectId,
      role: 'Cost Management Reader',
    });
    client = new CostManagementClient(
      appCredential(emulator),
      emulatorClientOptions(emulator),
    );
  });

  const token = async () =>
    (await appCredential(emulator).getToken(
      'https://management.azure.com/.default',
    ))!.token;

  describe('POST {scope}/providers/Microsoft.CostManagement/query', () => {
    it('sums daily ActualCost with UsageDate as a number and a Currency column', async () => {
      const result = await client.query.usage(
        `/subscriptions/${PLATFORM_SUB}`,
        query({}),
      );
      expect(result.columns!.map(c => [c.name, c.type])).toEqual([
        ['Cost', 'Number'],
        ['UsageDate', 'Number'],
        ['Currency', 'String'],
      ]);
      expect(result.rows).toHaveLength(7);
      const first = usageDateOf(dayNumberOf(Date.now()) - 7);
      expect(result.rows![0][1]).toBe(first);
      expect(result.rows!.every(r => r[0] > 0 && r[2] === 'USD')).toBe(true);
      // Weekly seasonality and noise: days differ.
      expect(new Set(result.rows!.map(r => r[0])).size).toBeGreaterThan(1);
      // Deterministic.
      expect(
        (await client.query.usage(`/subscriptions/${PLATFORM_SUB}`, query({})))
          .rows,
      ).toEqual(result.rows);
    });

    it('groups by a dimension without granularity, in the shape of the spec example', async () => {
      const res = await rawRequest(
        emulator,
        'POST',
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.CostManagement/query?api-version=2022-10-01`,
        {
          headers: { authorization: `Bearer ${await token()}` },
          body: {
            type: 'Usage',
            timeframe: 'TheLastMonth',
            dataset: {
              aggregation: {
                totalCost: { name: 'PreTaxCost', function: 'Sum' },
              },
              grouping: [{ type: 'Dimension', name: 'ResourceGroup' }],
            },
          },
        },
      );
      expect(res.status).toBe(200);
      // specification/cost-management/resource-manager/Microsoft.CostManagement/stable/2022-10-01/examples/SubscriptionQueryGrouping.json
      const example = {
        id: 'subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.CostManagement/Query/00000000-0000-0000-0000-000000000000',
        name: '55312978-ba1b-415c-9304-cfd9c43c0481',
        type: 'microsoft.costmanagement/Query',
        properties: {
          nextLink: null,
          columns: [
            { name: 'PreTaxCost', type: 'Number' },
            { name: 'ResourceGroup', type: 'String' },
            { name: 'Currency', type: 'String' },
          ],
          rows: [
            [0.009865586851323632, 'Ict_StratAndPlan_GoldSprova_Prod_0', 'USD'],
          ],
        },
      };
      const body = res.json();
      expectMatchesExample(body, example);
      expect(body.type).toBe(example.type);
      expect(body.id).toMatch(
        new RegExp(
          `^subscriptions/${PLATFORM_SUB}/providers/Microsoft.CostManagement/Query/`,
        ),
      );
      expect(body.properties.nextLink).toBeNull();
      expect(body.properties.columns).toEqual(example.properties.columns);
      expect(body.properties.rows.map((r: any[]) => r[1]).sort()).toEqual([
        'rg-data-ingest-prod',
        'rg-platform-aks-prod',
        'rg-platform-network',
        'rg-platform-observability',
      ]);
    });

    it('answers at resource group scope in the shape of the spec example', async () => {
      const res = await rawRequest(
        emulator,
        'POST',
        `/subscriptions/${PLATFORM_SUB}/resourceGroups/rg-platform-network/providers/Microsoft.CostManagement/query?api-version=2022-10-01`,
        {
          headers: { authorization: `Bearer ${await token()}` },
          body: {
            type: 'Usage',
            timeframe: 'MonthToDate',
            dataset: {
              granularity: 'Daily',
              aggregation: {
                totalCost: { name: 'PreTaxCost', function: 'Sum' },
              },
              grouping: [{ type: 'Dimension', name: 'ResourceGroup' }],
            },
          },
        },
      );
      // specification/cost-management/resource-manager/Microsoft.CostManagement/stable/2022-10-01/examples/ResourceGroupQuery.json
      const example = {
        id: 'subscriptions/55312978-ba1b-415c-9304-c4b9c43c0481/resourcegroups/ScreenSharingTest-peer/providers/Microsoft.CostManagement/Query/9af9459d-441d-4055-9ed0-83d4c4a363fb',
        name: '9af9459d-441d-4055-9ed0-83d4c4a363fb',
        type: 'microsoft.costmanagement/Query',
        properties: {
          nextLink: null,
          columns: [
            { name: 'PreTaxCost', type: 'Number' },
            { name: 'ResourceGroup', type: 'String' },
            { name: 'UsageDate', type: 'Number' },
            { name: 'Currency', type: 'String' },
          ],
          rows: [[2.10333307059661, 'ScreenSharingTest-peer', 20180417, 'USD']],
        },
      };
      const body = res.json();
      expectMatchesExample(body, example);
      expect(body.properties.columns).toEqual(example.properties.columns);
      expect(
        body.properties.rows.every(
          (r: any[]) => r[1] === 'rg-platform-network',
        ),
      ).toBe(true);
    });

    it('groups by a tag key into TagKey and TagValue columns, and by two groupings at most', async () => {
      const result = await client.query.usage(
        `/subscriptions/${PLATFORM_SUB}`,
        query({
          dataset: {
            aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
            grouping: [
              { type: 'TagKey', name: 'owner' },
              { type: 'Dimension', name: 'ServiceName' },
            ],
          },
        }),
      );
      expect(result.columns!.map(c => c.name)).toEqual([
        'Cost',
        'TagKey',
        'TagValue',
        'ServiceName',
        'Currency',
      ]);
      expect(
        result.rows!.some(r => r[1] === 'owner' && r[2] === 'team-platform'),
      ).toBe(true);
      expect(result.rows!.some(r => r[1] === '' && r[2] === '')).toBe(true);

      await expect(
        client.query.usage(
          `/subscriptions/${PLATFORM_SUB}`,
          query({
            dataset: {
              aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
              grouping: [
                { type: 'Dimension', name: 'ResourceGroup' },
                { type: 'Dimension', name: 'ServiceName' },
                { type: 'Dimension', name: 'ResourceId' },
              ],
            },
          }),
        ),
      ).rejects.toMatchObject({ statusCode: 400 });
    });

    it('reports a EUR subscription in EUR, and AmortizedCost like ActualCost', async () => {
      const actual = await client.query.usage(
        `/subscriptions/${DATA_SUB}`,
        query({}),
      );
      expect(actual.rows!.every(r => r[2] === 'EUR')).toBe(true);
      const amortized = await client.query.usage(
        `/subscriptions/${DATA_SUB}`,
        query({ type: 'AmortizedCost' }),
      );
      expect(amortized.rows).toEqual(actual.rows);
    });

    it('pages large results with nextLink', async () => {
      const definition = query({
        dataset: {
          granularity: 'Daily',
          aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
          grouping: [{ type: 'Dimension', name: 'ResourceId' }],
        },
      });
      const first = await client.query.usage(
        `/subscriptions/${PLATFORM_SUB}`,
        definition,
      );
      expect(first.rows).toHaveLength(50);
      expect(first.nextLink).toMatch(/\$skiptoken=/);
      const rows = [...first.rows!];
      let nextLink = first.nextLink;
      while (nextLink) {
        const response = await client.sendRequest(
          createPipelineRequest({
            url: nextLink,
            method: 'POST',
            body: JSON.stringify({
              ...definition,
              timePeriod: { from: isoDay(-7), to: isoDay(-1) },
            }),
            headers: createHttpHeaders({ 'content-type': 'application/json' }),
          }),
        );
        const page = JSON.parse(response.bodyAsText!);
        rows.push(...page.properties.rows);
        nextLink = page.properties.nextLink;
      }
      const ids = new Set(rows.map(r => r[1]));
      expect(ids.size).toBeGreaterThan(50);
      expect(rows.length).toBeGreaterThan(50);
      expect(new Set(rows.map(r => `${r[1]}|${r[2]}`)).size).toBe(rows.length);
    });

    it('computes a paged answer once and cuts every next page from it', async () => {
      const definition = query({
        dataset: {
          granularity: 'Daily',
          aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
          grouping: [{ type: 'Dimension', name: 'ResourceId' }],
        },
      });
      const body = {
        ...definition,
        timePeriod: { from: isoDay(-7), to: isoDay(-1) },
      };
      const post = async (url: string, payload: unknown) => {
        const response = await client.sendRequest(
          createPipelineRequest({
            url,
            method: 'POST',
            body: JSON.stringify(payload),
            headers: createHttpHeaders({ 'content-type': 'application/json' }),
          }),
        );
        return {
          status: response.status,
          body: JSON.parse(response.bodyAsText!),
        };
      };
      const readAll = async (beforeNextPages?: (rows: any[][]) => void) => {
        const first = await client.query.usage(
          `/subscriptions/${PLATFORM_SUB}`,
          definition,
        );
        const rows = [...first.rows!];
        beforeNextPages?.(rows);
        let nextLink = first.nextLink;
        let pages = 1;
        while (nextLink) {
          const page = await post(nextLink, body);
          expect(page.status).toBe(200);
          rows.push(...page.body.properties.rows);
          nextLink = page.body.properties.nextLink;
          pages++;
        }
        return { rows, pages };
      };

      const before = await readAll();
      expect(before.pages).toBeGreaterThan(2);
      // A resource goes away after the first page: the next pages still come from the answer of the first, so the
      // paging neither loses rows nor shifts them (as recomputing each page would).
      let gone = '';
      const during = await readAll(rows => {
        gone = String(rows[0][1]);
        expect(emulator.control.deleteResource(gone)).toBe(true);
      });
      expect(during.rows).toEqual(before.rows);
      expect(during.rows.filter(r => r[1] === gone).length).toBeGreaterThan(1);
      // A new query is computed anew.
      const after = await readAll();
      expect(after.rows.some(r => r[1] === gone)).toBe(false);
      expect(after.rows.length).toBeLessThan(before.rows.length);

      // A next page asked with another query is computed for that query, not cut from the kept answer.
      const again = await client.query.usage(
        `/subscriptions/${PLATFORM_SUB}`,
        definition,
      );
      const other = await post(again.nextLink!, {
        ...body,
        dataset: {
          ...body.dataset,
          grouping: [
            { type: 'Dimension', name: 'ResourceGroup' },
            { type: 'Dimension', name: 'ResourceId' },
          ],
        },
      });
      expect(other.status).toBe(200);
      expect(other.body.properties.columns.map((c: any) => c.name)).toEqual([
        'Cost',
        'ResourceGroup',
        'ResourceId',
        'UsageDate',
        'Currency',
      ]);
    });

    it('refuses a $skiptoken it did not give', async () => {
      const res = await rawRequest(
        emulator,
        'POST',
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.CostManagement/query?api-version=2022-10-01&$skiptoken=${Buffer.from(
          'not-an-offset',
        ).toString('base64url')}`,
        {
          headers: { authorization: `Bearer ${await token()}` },
          body: query({}),
        },
      );
      expect(res.status).toBe(400);
    });

    it('refuses a principal without a role on the subscription', async () => {
      await expect(
        client.query.usage(`/subscriptions/${PAYMENTS_SUB}`, query({})),
      ).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    });
  });

  describe('POST {scope}/providers/Microsoft.CostManagement/forecast', () => {
    it('returns actual cost up to today and forecast after, in the shape of the spec example', async () => {
      const res = await rawRequest(
        emulator,
        'POST',
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.CostManagement/forecast?api-version=2022-10-01`,
        {
          headers: { authorization: `Bearer ${await token()}` },
          body: {
            type: 'ActualCost',
            timeframe: 'Custom',
            timePeriod: {
              from: `${isoDay(-3)}T00:00:00+00:00`,
              to: `${isoDay(10)}T23:59:59+00:00`,
            },
            dataset: {
              granularity: 'Daily',
              aggregation: {
                totalCost: { name: 'PreTaxCost', function: 'Sum' },
              },
            },
            includeActualCost: true,
          },
        },
      );
      // specification/cost-management/resource-manager/Microsoft.CostManagement/stable/2022-10-01/examples/ExternalSubscriptionForecast.json
      const example = {
        id: 'providers/Microsoft.CostManagement/externalSubscriptions/100/query/d99477af-7510-40ee-aca2-e59bdca0d10d',
        name: 'd99477af-7510-40ee-aca2-e59bdca0d10d',
        type: 'Microsoft.CostManagement/query',
        properties: {
          nextLink: null,
          columns: [
            { name: 'PreTaxCost', type: 'Number' },
            { name: 'UsageDate', type: 'Number' },
            { name: 'CostStatus', type: 'String' },
            { name: 'Currency', type: 'String' },
          ],
          rows: [],
        },
      };
      const body = res.json();
      expectMatchesExample(body, example);
      expect(body.properties.columns).toEqual(example.properties.columns);
      const statuses = body.properties.rows.map((r: any[]) => r[2]);
      expect(statuses.slice(0, 4)).toEqual([
        'Actual',
        'Actual',
        'Actual',
        'Actual',
      ]);
      expect(statuses.slice(4)).toEqual(Array(10).fill('Forecast'));

      const viaSdk = await client.forecast.usage(
        `/subscriptions/${PLATFORM_SUB}`,
        {
          type: 'ActualCost',
          timeframe: 'Custom',
          timePeriod: {
            from: new Date(`${isoDay(1)}T00:00:00Z`),
            to: new Date(`${isoDay(7)}T00:00:00Z`),
          },
          dataset: {
            granularity: 'Daily',
            aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
          },
        },
      );
      expect(viaSdk.rows).toHaveLength(7);
    });
  });
});
