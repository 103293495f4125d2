import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { emulatorClientOptions } from '../clientOptions';
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

/** The query the product sends (Learn, "Query Advisor data with Resource Graph"). */
const COST_RECOMMENDATIONS =
  "advisorresources | where type == 'microsoft.advisor/recommendations' | where properties.category == 'Cost'";

/**
 * specification/advisor/resource-manager/Microsoft.Advisor/stable/2020-01-01/examples/ListRecommendations.json,
 * value[0], with the fields Resource Graph's rows and cost recommendations carry (the example's `remediation`,
 * `actions`, `risk`, `label` and `learnMoreLink` belong to other categories and are left out); `type` is lower-case
 * in Resource Graph as for every table.
 */
const RECOMMENDATION_EXAMPLE = {
  id: '/resourceUri/providers/Microsoft.Advisor/recommendations/recGUID1',
  name: 'recGUID1',
  properties: {
    category: 'HighAvailability',
    impact: 'Medium',
    impactedField: 'Microsoft.Compute/availabilitySets',
    impactedValue: 'armavset',
    lastUpdated: '2017-02-24T22:24:43.3216408Z',
    shortDescription: {
      problem: 'This availability set is not configured for fault tolerance',
      solution: 'This availability set is not configured for fault tolerance',
    },
    resourceMetadata: {
      resourceId:
        '/subscriptions/subscriptionId/resourceGroups/resourceGroup/providers/Microsoft.Compute/availabilitysets/abc',
      singular: 'Availability set',
      plural: 'Availability sets',
    },
  },
  type: 'microsoft.advisor/recommendations',
};

describe('Resource Graph advisorresources', () => {
  let emulator: AzureEmulator;
  let client: ResourceGraphClient;

  beforeAll(async () => {
    emulator = await startTestEmulator({ throttling: { enabled: false } });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.control.reset();
    const sp = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
    for (const subscriptionId of [PLATFORM_SUB, DATA_SUB]) {
      emulator.control.assignRole({
        scope: `/subscriptions/${subscriptionId}`,
        principalId: sp.objectId,
        role: 'Reader',
      });
    }
    client = new ResourceGraphClient(
      appCredential(emulator),
      emulatorClientOptions(emulator),
    );
  });

  async function allRows(query: string, top?: number): Promise<any[]> {
    const rows: any[] = [];
    let skipToken: string | undefined;
    do {
      const page = await client.resources({
        query,
        subscriptions: [PLATFORM_SUB, PAYMENTS_SUB, DATA_SUB],
        options: { top, skipToken },
      });
      rows.push(...page.data);
      skipToken = page.skipToken;
    } while (skipToken);
    return rows;
  }

  it('returns cost recommendations shaped as Advisor recommendations, for VMs and disks of readable subscriptions', async () => {
    const rows = await allRows(COST_RECOMMENDATIONS);
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) {
      expectMatchesExample(row, RECOMMENDATION_EXAMPLE);
      expect(row.properties.category).toBe('Cost');
      expect(row.subscriptionId).not.toBe(PAYMENTS_SUB);
      expect([
        'Microsoft.Compute/virtualMachines',
        'Microsoft.Compute/disks',
      ]).toContain(row.properties.impactedField);
      expect(
        row.id.startsWith(row.properties.resourceMetadata.resourceId),
      ).toBe(true);
      expect(
        emulator.control.getTags(row.properties.resourceMetadata.resourceId),
      ).toBeDefined();
      const extended = row.properties.extendedProperties;
      expect(Number(extended.savingsAmount)).toBeGreaterThan(0);
      expect(Number(extended.annualSavingsAmount)).toBeCloseTo(
        Number(extended.savingsAmount) * 12,
        1,
      );
      expect(extended.savingsCurrency).toBe(
        row.subscriptionId === DATA_SUB ? 'EUR' : 'USD',
      );
    }
    const vm = rows.find(
      r => r.properties.impactedField === 'Microsoft.Compute/virtualMachines',
    );
    expect(vm.properties.shortDescription.solution).toBe(
      'Right-size or shutdown underutilized virtual machines',
    );
    expect(vm.properties.recommendationTypeId).toBe(
      'e10b1381-5f0a-47ff-8c7b-37bd13d7c974',
    );
    expect(rows.some(r => r.subscriptionId === DATA_SUB)).toBe(true);
  });

  it('is deterministic: the same rows after a reset', async () => {
    const first = await allRows(COST_RECOMMENDATIONS);
    emulator.control.reset();
    const sp = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
    for (const subscriptionId of [PLATFORM_SUB, DATA_SUB]) {
      emulator.control.assignRole({
        scope: `/subscriptions/${subscriptionId}`,
        principalId: sp.objectId,
        role: 'Reader',
      });
    }
    expect(await allRows(COST_RECOMMENDATIONS)).toEqual(first);
  });

  it('pages with $skipToken as the resources table does', async () => {
    const all = await allRows(COST_RECOMMENDATIONS);
    const first = await client.resources({
      query: COST_RECOMMENDATIONS,
      subscriptions: [PLATFORM_SUB, DATA_SUB],
      options: { top: 3 },
    });
    expect(first.count).toBe(3);
    expect(first.totalRecords).toBe(all.length);
    expect(first.skipToken).toEqual(expect.any(String));
    const paged = await allRows(COST_RECOMMENDATIONS, 3);
    expect(paged.map(r => r.id)).toEqual(all.map(r => r.id));
    expect(new Set(paged.map(r => r.id)).size).toBe(all.length);
  });

  it('filters on other categories and case-insensitive comparisons', async () => {
    expect(
      await allRows(
        "advisorresources | where type == 'microsoft.advisor/recommendations' | where properties.category == 'Security'",
      ),
    ).toEqual([]);
    // == is case-sensitive in KQL, =~ is not.
    expect(
      await allRows(
        "advisorresources | where type == 'Microsoft.Advisor/recommendations'",
      ),
    ).toEqual([]);
    const insensitive = await allRows(
      "AdvisorResources | where type =~ 'Microsoft.Advisor/recommendations' and properties.impactedField == 'Microsoft.Compute/disks'",
    );
    expect(insensitive.length).toBeGreaterThan(0);
    expect(
      insensitive.every(
        r => r.properties.impactedField === 'Microsoft.Compute/disks',
      ),
    ).toBe(true);
  });

  it('refuses KQL beyond the subset as an invalid query', async () => {
    const token = (await appCredential(emulator).getToken(
      'https://management.azure.com/.default',
    ))!.token;
    const res = await rawRequest(
      emulator,
      'POST',
      '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01',
      {
        headers: { authorization: `Bearer ${token}` },
        body: {
          query: `${COST_RECOMMENDATIONS} | summarize count() by tostring(properties.impact)`,
        },
      },
    );
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('BadRequest');
    expect(res.json().error.details[0].code).toBe('InvalidQuery');
  });
});
