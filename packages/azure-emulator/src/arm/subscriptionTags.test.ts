import { ResourceManagementClient } from '@azure/arm-resources';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { emulatorClientOptions } from '../clientOptions';
import {
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
} from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  appCredential,
  expectMatchesExample,
  rawRequest,
  startTestEmulator,
} from '../__testUtils__/emulatorTestKit';

const PLATFORM_SUB = DEMO_SUBSCRIPTIONS.platform;
const DATA_SUB = DEMO_SUBSCRIPTIONS.dataEurope;
const SUBSCRIPTION_SCOPE = `/subscriptions/${PLATFORM_SUB}`;

// specification/resources/resource-manager/Microsoft.Resources/stable/2022-12-01/examples/GetSubscription.json
// (Subscriptions - Get, the api-version @azure/arm-resources-subscriptions sends)
const GET_SUBSCRIPTION_EXAMPLE = {
  id: '/subscriptions/291bba3f-e0a5-47bc-a099-3bdcb2a50a05',
  subscriptionId: '291bba3f-e0a5-47bc-a099-3bdcb2a50a05',
  tenantId: '31c75423-32d6-4322-88b7-c478bdde4858',
  displayName: 'Example Subscription',
  state: 'Enabled',
  subscriptionPolicies: {
    locationPlacementId: 'Internal_2014-09-01',
    quotaId: 'Internal_2014-09-01',
    spendingLimit: 'Off',
  },
  authorizationSource: 'Bypassed',
  managedByTenants: [],
  tags: { tagKey1: 'tagValue1', tagKey2: 'tagValue2' },
};

describe('subscription tags', () => {
  let emulator: AzureEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.control.reset();
    const { objectId } = emulator.control.consent(
      DEMO_TENANT.id,
      DEMO_APP.clientId,
    );
    for (const subscriptionId of [PLATFORM_SUB, DATA_SUB]) {
      emulator.control.assignRole({
        scope: `/subscriptions/${subscriptionId}`,
        principalId: objectId,
        role: 'Reader',
      });
    }
  });

  const subscriptions = () =>
    new SubscriptionClient(
      appCredential(emulator),
      emulatorClientOptions(emulator),
    );
  const appToken = async () =>
    (await appCredential(emulator).getToken(
      'https://management.azure.com/.default',
    ))!.token;

  describe('GET /subscriptions/{subscriptionId}', () => {
    it("returns the fixture's tags in the shape of the spec example", async () => {
      const raw = await rawRequest(
        emulator,
        'GET',
        `${SUBSCRIPTION_SCOPE}?api-version=2022-12-01`,
        { headers: { authorization: `Bearer ${await appToken()}` } },
      );

      expect(raw.status).toBe(200);
      expectMatchesExample(raw.json(), GET_SUBSCRIPTION_EXAMPLE);
      expect(raw.json().tags).toEqual({ owner: 'team-platform', env: 'prod' });
    });

    it('leaves tags out of a subscription that has none, as the SDK then reads undefined', async () => {
      const found = await subscriptions().subscriptions.get(DATA_SUB);

      expect(found.displayName).toBe('Contoso Data Europe');
      expect(found.tags).toBeUndefined();
    });
  });

  describe('the control API', () => {
    it('edits a subscription’s tags as in the Azure portal; Subscriptions - Get and Tags - Get At Scope show them', async () => {
      const edited = await rawRequest(emulator, 'PATCH', '/_emulator/tags', {
        body: {
          resourceId: SUBSCRIPTION_SCOPE,
          set: { costCenter: 'CC-1001', ENV: 'Production' },
          remove: ['owner'],
        },
      });

      expect(edited.status).toBe(200);
      // A name that differs only in case replaces the tag, as in Azure.
      const tags = { ENV: 'Production', costCenter: 'CC-1001' };
      expect(edited.json().tags).toEqual(tags);
      expect(
        (await subscriptions().subscriptions.get(PLATFORM_SUB)).tags,
      ).toEqual(tags);
      const atScope = await new ResourceManagementClient(
        appCredential(emulator),
        PLATFORM_SUB,
        emulatorClientOptions(emulator),
      ).tagsOperations.getAtScope(SUBSCRIPTION_SCOPE);
      expect(atScope.properties.tags).toEqual(tags);
      expect(
        (
          await rawRequest(
            emulator,
            'GET',
            `/_emulator/tags?resourceId=${encodeURIComponent(
              SUBSCRIPTION_SCOPE,
            )}`,
          )
        ).json().tags,
      ).toEqual(tags);

      emulator.control.reset();
      expect(emulator.control.getTags(SUBSCRIPTION_SCOPE)).toEqual({
        owner: 'team-platform',
        env: 'prod',
      });
    });

    it('edits a resource group’s tags, and gives 404 for a subscription or group that does not exist', async () => {
      const group = `${SUBSCRIPTION_SCOPE}/resourceGroups/rg-platform-aks-prod`;
      emulator.control.editTags({
        resourceId: group,
        set: { owner: 'team-platform' },
      });
      const read = await new ResourceManagementClient(
        appCredential(emulator),
        PLATFORM_SUB,
        emulatorClientOptions(emulator),
      ).resourceGroups.get('rg-platform-aks-prod');
      expect(read.tags).toEqual({ owner: 'team-platform' });

      for (const resourceId of [
        '/subscriptions/00000000-0000-0000-0000-000000000000',
        `${SUBSCRIPTION_SCOPE}/resourceGroups/rg-nowhere`,
        'not-an-id',
      ]) {
        const answer = await rawRequest(emulator, 'PATCH', '/_emulator/tags', {
          body: { resourceId, set: { a: '1' } },
        });
        expect(answer.status).toBe(404);
      }
    });
  });
});
