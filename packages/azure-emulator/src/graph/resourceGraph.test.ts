import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { ACEProvisioningManagementPartnerAPI } from '@azure/arm-managementpartner';
import { emulatorClientOptions } from '../clientOptions';
import { DEMO_APP, DEMO_TENANT } from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  appCredential,
  expectMatchesExample,
  rawRequest,
  startTestEmulator,
} from '../__testUtils__/emulatorTestKit';
import { DEMO_SUBSCRIPTIONS } from '../model/demoIdentities';

const PLATFORM_SUB = DEMO_SUBSCRIPTIONS.platform;
const PAYMENTS_SUB = DEMO_SUBSCRIPTIONS.payments;
const DATA_SUB = DEMO_SUBSCRIPTIONS.dataEurope;

describe('Resource Graph and Partner Admin Link', () => {
  let emulator: AzureEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator();
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
      scope: `/subscriptions/${PAYMENTS_SUB}`,
      principalId: sp.objectId,
      role: 'Reader',
    });
  });

  const token = async () =>
    (await appCredential(emulator).getToken(
      'https://management.azure.com/.default',
    ))!.token;

  describe('POST /providers/Microsoft.ResourceGraph/resources', () => {
    it('returns every resource of the readable subscriptions, paging with $skipToken', async () => {
      const client = new ResourceGraphClient(
        appCredential(emulator),
        emulatorClientOptions(emulator),
      );
      const rows: any[] = [];
      let skipToken: string | undefined;
      let pages = 0;
      do {
        const page = await client.resources({
          query: 'resources',
          subscriptions: [PLATFORM_SUB, PAYMENTS_SUB, DATA_SUB],
          options: { top: 60, skipToken },
        });
        expect(page.totalRecords).toBe(150);
        rows.push(...page.data);
        skipToken = page.skipToken;
        pages++;
      } while (skipToken);
      expect(pages).toBe(3);
      expect(new Set(rows.map(r => r.id)).size).toBe(150);
      // The data subscription is not readable by the app: its resources are left out.
      expect(rows.some(r => r.subscriptionId === DATA_SUB)).toBe(false);
    });

    it('answers in the shape of the spec example', async () => {
      const res = await rawRequest(
        emulator,
        'POST',
        '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01',
        {
          headers: { authorization: `Bearer ${await token()}` },
          body: {
            query: 'resources',
            subscriptions: [PLATFORM_SUB],
            options: { $top: 3 },
          },
        },
      );
      // specification/resourcegraph/resource-manager/Microsoft.ResourceGraph/ResourceGraph/ResourceGraph/examples/2024-04-01/ResourcesNextPageQuery.json
      const example = {
        $skipToken:
          'eyAibm8yIjogImx1Y2syIiwgImJ1dDIiOiAibmljZTIiLCAidHJ5MiI6ICIhIiB9',
        count: 3,
        data: [
          {
            name: 'second_OsDisk_dddddbcb625a457bb69fe2abf5975820',
            type: 'microsoft.compute/disks',
            id: '/subscriptions/cfbbd179-59d2-4052-aa06-9270a38aa9d6/resourceGroups/RG1/providers/Microsoft.Compute/disks/second_OsDisk_dddddbcb625a457bb69fe2abf5975820',
            location: 'eastus',
          },
        ],
        facets: [],
        resultTruncated: 'false',
        totalRecords: 386,
      };
      const body = res.json();
      expectMatchesExample(body, example);
      expect(body.count).toBe(3);
      expect(body.totalRecords).toBe(80);
      expect(body.resultTruncated).toBe('false');
      expect(body.data[0].type).toBe(body.data[0].type.toLowerCase());
      for (const field of [
        'tenantId',
        'resourceGroup',
        'subscriptionId',
        'tags',
        'properties',
        'kind',
        'sku',
      ]) {
        expect(body.data[0]).toHaveProperty(field);
      }
    });

    it('refuses queries other than the plain resources query', async () => {
      const client = new ResourceGraphClient(
        appCredential(emulator),
        emulatorClientOptions(emulator),
      );
      await expect(
        client.resources({ query: 'resources | summarize count()' }),
      ).rejects.toMatchObject({ statusCode: 400 });
    });
  });

  describe('Microsoft.ManagementPartner/partners/{partnerId}', () => {
    it('links, reads, updates and removes the partner id of the calling identity', async () => {
      const client = new ACEProvisioningManagementPartnerAPI(
        appCredential(emulator),
        emulatorClientOptions(emulator),
      );
      await expect(client.partners.get()).rejects.toMatchObject({
        statusCode: 404,
      });
      const created = await client.partner.create('123456');
      expect(created.partnerId).toBe('123456');
      expect(created.tenantId).toBe(DEMO_TENANT.id);
      expect(created.objectId).toBe(
        emulator.control.servicePrincipal(DEMO_TENANT.id, DEMO_APP.clientId)!
          .objectId,
      );
      expect((await client.partners.get()).partnerId).toBe('123456');
      const updated = await client.partner.update('654321');
      expect(updated.partnerId).toBe('654321');
      await client.partner.delete('654321');
      await expect(client.partner.get('654321')).rejects.toMatchObject({
        statusCode: 404,
      });
    });

    it('answers PUT in the shape of the spec example', async () => {
      const res = await rawRequest(
        emulator,
        'PUT',
        '/providers/Microsoft.ManagementPartner/partners/123456?api-version=2018-02-01',
        {
          headers: { authorization: `Bearer ${await token()}` },
        },
      );
      // specification/managementpartner/resource-manager/Microsoft.ManagementPartner/preview/2018-02-01/examples/PutPartnerDetails.json
      const example = {
        id: '/providers/microsoft.managementpartner/partners/123456',
        type: 'Microsoft.ManagementPartner/partner',
        name: '123456',
        etag: 3,
        properties: {
          partnerId: '123456',
          partnerName: 'Test_jefl',
          tenantId: '1b1121dd-6900-412a-af73-e8d44f81e1c1',
          objectId: 'aa67f786-0552-423e-8849-244ed12bf581',
          version: '3',
          updatedTime: '2018-01-20T01:52:57.9126052Z',
          createdTime: '2018-01-20T01:23:40.5280496Z',
          state: 'Active',
        },
      };
      const body = res.json();
      expectMatchesExample(body, example);
      expect(body.id).toBe(example.id);
      expect(body.type).toBe(example.type);
      expect(body.properties.state).toBe('Active');
    });
  });
});
