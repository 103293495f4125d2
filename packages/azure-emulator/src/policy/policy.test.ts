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
const PAYMENTS_SUB = DEMO_SUBSCRIPTIONS.payments;
const DATA_SUB = DEMO_SUBSCRIPTIONS.dataEurope;
const PLATFORM_RG = 'rg-platform-network';
const REQUIRE_TAG = '871b6d14-10aa-478d-b590-94f262ecfa99';
const INHERIT_FROM_GROUP = 'cd3aa116-8754-49c9-a813-ad46512ece54';
const ASSIGNMENTS = '/providers/Microsoft.Authorization/policyAssignments';

describe('Azure Policy', () => {
  let emulator: AzureEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.control.reset();
    const sp = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
    for (const sub of [PLATFORM_SUB, PAYMENTS_SUB]) {
      emulator.control.assignRole({
        scope: `/subscriptions/${sub}`,
        principalId: sp.objectId,
        role: 'Reader',
      });
    }
  });

  const get = async (pathAndQuery: string) =>
    rawRequest(emulator, 'GET', pathAndQuery, {
      headers: {
        authorization: `Bearer ${
          (await appCredential(emulator).getToken(
            'https://management.azure.com/.default',
          ))!.token
        }`,
      },
    });
  const names = (res: { json(): any }) =>
    res
      .json()
      .value.map((a: any) => a.name)
      .sort();

  describe('GET /subscriptions/{s}/providers/Microsoft.Authorization/policyAssignments', () => {
    it("lists the demo fixture's require-owner assignment to a Reader, in the shape of the spec example", async () => {
      const res = await get(
        `/subscriptions/${PLATFORM_SUB}${ASSIGNMENTS}?api-version=2022-06-01&$filter=atScope()`,
      );
      expect(res.status).toBe(200);
      // specification/resources/resource-manager/Microsoft.Authorization/stable/2022-06-01/examples/listPolicyAssignments.json
      // (its second item, without identity) and getPolicyAssignment.json (enforcementMode)
      const example = {
        id: '/subscriptions/ae640e6b-ba3e-4256-9d62-2993eecfa6f2/providers/Microsoft.Authorization/policyAssignments/TagEnforcement',
        type: 'Microsoft.Authorization/policyAssignments',
        name: 'TagEnforcement',
        properties: {
          displayName: 'Enforces a tag key and value',
          description:
            'Ensure a given tag key and value are present on all resources',
          metadata: { category: 'Cost Management' },
          policyDefinitionId:
            '/subscriptions/ae640e6b-ba3e-4256-9d62-2993eecfa6f2/providers/Microsoft.Authorization/policyDefinitions/TagKeyValue',
          parameters: { allowedSkus: { value: 'Standard_A1' } },
          scope: '/subscriptions/ae640e6b-ba3e-4256-9d62-2993eecfa6f2',
          notScopes: [],
          enforcementMode: 'Default',
        },
      };
      const [assignment] = res.json().value;
      expectMatchesExample(
        {
          ...assignment,
          properties: { ...assignment.properties, parameters: {} },
        },
        { ...example, properties: { ...example.properties, parameters: {} } },
      );
      expect(assignment).toEqual({
        id: `/subscriptions/${PLATFORM_SUB}${ASSIGNMENTS}/require-owner-tag`,
        type: 'Microsoft.Authorization/policyAssignments',
        name: 'require-owner-tag',
        properties: {
          displayName: 'Require an owner tag on resources',
          description: 'Every resource names the team that owns it.',
          metadata: { assignedBy: 'Demo Admin', category: 'Tags' },
          policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${REQUIRE_TAG}`,
          parameters: { tagName: { value: 'owner' } },
          scope: `/subscriptions/${PLATFORM_SUB}`,
          notScopes: [],
          enforcementMode: 'Default',
        },
      });
    });

    it('gives a modify (inherit) assignment a system-assigned identity and location, like the spec example', async () => {
      const res = await get(
        `/subscriptions/${PAYMENTS_SUB}${ASSIGNMENTS}?api-version=2022-06-01`,
      );
      const [assignment] = res.json().value;
      // listPolicyAssignments.json's first item carries location and identity
      expectMatchesExample(
        { location: assignment.location, identity: assignment.identity },
        {
          location: 'eastus',
          identity: {
            type: 'SystemAssigned',
            principalId: 'e6d23f8d-af97-4fbc-bda6-00604e4e3d0a',
            tenantId: '4bee2b8a-1bee-47c2-90e9-404241551135',
          },
        },
      );
      expect(assignment.identity.tenantId).toBe(DEMO_TENANT.id);
      expect(assignment.properties.policyDefinitionId).toMatch(
        new RegExp(`${INHERIT_FROM_GROUP}$`),
      );
      expect(assignment.properties.parameters).toEqual({
        tagName: { value: 'costCenter' },
      });
    });

    it('follows $filter as the spec describes: atScope() leaves out resource groups, atExactScope() only the scope itself', async () => {
      emulator.control.assignPolicy({
        scope: `/subscriptions/${PLATFORM_SUB}/resourceGroups/${PLATFORM_RG}`,
        name: 'rg-require-env',
        policyDefinitionId: REQUIRE_TAG,
        parameters: { tagName: { value: 'env' } },
      });
      const sub = `/subscriptions/${PLATFORM_SUB}`;
      const rg = `${sub}/resourceGroups/${PLATFORM_RG}`;
      const list = async (scope: string, filter?: string) =>
        names(
          await get(
            `${scope}${ASSIGNMENTS}?api-version=2022-06-01${
              filter ? `&$filter=${encodeURIComponent(filter)}` : ''
            }`,
          ),
        );

      // Unfiltered: at the scope, above it and below it.
      expect(await list(sub)).toEqual(['require-owner-tag', 'rg-require-env']);
      expect(await list(sub, 'atScope()')).toEqual(['require-owner-tag']);
      expect(await list(sub, 'atExactScope()')).toEqual(['require-owner-tag']);
      expect(await list(rg, 'atScope()')).toEqual([
        'require-owner-tag',
        'rg-require-env',
      ]);
      expect(await list(rg, 'atExactScope()')).toEqual(['rg-require-env']);
      expect(
        await list(
          sub,
          `policyDefinitionId eq '/providers/Microsoft.Authorization/policyDefinitions/${INHERIT_FROM_GROUP}'`,
        ),
      ).toEqual([]);
      // Another resource group of the subscription gets the subscription's only.
      expect(
        await list(`${sub}/resourceGroups/rg-platform-aks-prod`, 'atScope()'),
      ).toEqual(['require-owner-tag']);

      const bad = await get(
        `${sub}${ASSIGNMENTS}?api-version=2022-06-01&$filter=${encodeURIComponent(
          "displayName eq 'x'",
        )}`,
      );
      expect(bad.status).toBe(400);
      expect(bad.json().error.code).toBe('InvalidFilterInQueryString');
    });

    it('pages with $top and nextLink', async () => {
      for (let i = 0; i < 3; i++) {
        emulator.control.assignPolicy({
          scope: `/subscriptions/${PLATFORM_SUB}`,
          name: `extra-${i}`,
          policyDefinitionId: REQUIRE_TAG,
          parameters: { tagName: { value: `t${i}` } },
        });
      }
      const first = await get(
        `/subscriptions/${PLATFORM_SUB}${ASSIGNMENTS}?api-version=2022-06-01&$top=3`,
      );
      expect(first.json().value).toHaveLength(3);
      const next = new URL(first.json().nextLink);
      const second = await get(`${next.pathname}${next.search}`);
      expect(second.json().value).toHaveLength(1);
      expect(second.json().nextLink).toBeUndefined();
    });

    it('refuses a caller without a role with 403 AuthorizationFailed, and a missing resource group with 404', async () => {
      const denied = await get(
        `/subscriptions/${DATA_SUB}${ASSIGNMENTS}?api-version=2022-06-01`,
      );
      expect(denied.status).toBe(403);
      expect(denied.json().error.code).toBe('AuthorizationFailed');
      expect(denied.json().error.message).toContain(
        "'Microsoft.Authorization/policyAssignments/read'",
      );
      const missing = await get(
        `/subscriptions/${PLATFORM_SUB}/resourceGroups/rg-nope${ASSIGNMENTS}?api-version=2022-06-01`,
      );
      expect(missing.status).toBe(404);
      expect(missing.json().error.code).toBe('ResourceGroupNotFound');
    });

    it('gets one assignment by name, 404 PolicyAssignmentNotFound otherwise, and refuses writes', async () => {
      const one = await get(
        `/subscriptions/${PLATFORM_SUB}${ASSIGNMENTS}/require-owner-tag?api-version=2022-06-01`,
      );
      expect(one.status).toBe(200);
      expect(one.json().properties.parameters.tagName.value).toBe('owner');
      const none = await get(
        `/subscriptions/${PLATFORM_SUB}${ASSIGNMENTS}/nope?api-version=2022-06-01`,
      );
      expect(none.status).toBe(404);
      expect(none.json().error.code).toBe('PolicyAssignmentNotFound');
      const token = (await appCredential(emulator).getToken(
        'https://management.azure.com/.default',
      ))!.token;
      const put = await rawRequest(
        emulator,
        'PUT',
        `/subscriptions/${PLATFORM_SUB}${ASSIGNMENTS}/new-one?api-version=2022-06-01`,
        {
          headers: { authorization: `Bearer ${token}` },
          body: { properties: { policyDefinitionId: REQUIRE_TAG } },
        },
      );
      expect(put.status).toBe(405);
      expect(emulator.control.listPolicyAssignments()).toHaveLength(2);
    });

    it('checks the api-version as ARM does', async () => {
      const missing = await get(`/subscriptions/${PLATFORM_SUB}${ASSIGNMENTS}`);
      expect(missing.status).toBe(400);
      expect(missing.json().error.code).toBe('MissingApiVersionParameter');
      const wrong = await get(
        `/subscriptions/${PLATFORM_SUB}${ASSIGNMENTS}?api-version=2022-04-01`,
      );
      expect(wrong.status).toBe(404);
      expect(wrong.json().error).toMatchObject({
        code: 'InvalidResourceType',
        message: expect.stringContaining(
          "The resource type 'policyAssignments' could not be found in the namespace 'Microsoft.Authorization' for api version '2022-04-01'",
        ),
      });
    });
  });

  describe('GET /providers/Microsoft.Authorization/policyDefinitions/{name}', () => {
    it('serves "Require a tag on resources" in the shape of the spec example, with its deny rule', async () => {
      const res = await get(
        `/providers/Microsoft.Authorization/policyDefinitions/${REQUIRE_TAG}?api-version=2023-04-01`,
      );
      expect(res.status).toBe(200);
      // specification/resources/resource-manager/Microsoft.Authorization/stable/2023-04-01/examples/getBuiltinPolicyDefinition.json
      const example = {
        properties: {
          mode: 'All',
          displayName: 'Allowed storage account SKUs',
          policyType: 'BuiltIn',
          description: 'This policy enables you to specify a set of SKUs.',
          parameters: {},
          version: '1.2.1',
          versions: ['1.2.1', '1.0.0'],
          policyRule: { if: {}, then: { effect: 'Deny' } },
        },
        id: '/providers/Microsoft.Authorization/policyDefinitions/7433c107-6db4-4ad1-b57a-a76dce0154a1',
        type: 'Microsoft.Authorization/policyDefinitions',
        name: '7433c107-6db4-4ad1-b57a-a76dce0154a1',
      };
      const body = res.json();
      expectMatchesExample(body, example);
      // Azure/azure-policy built-in-policies/policyDefinitions/Tags/RequireTag_Deny.json
      expect(body.properties).toMatchObject({
        displayName: 'Require a tag on resources',
        mode: 'Indexed',
        policyType: 'BuiltIn',
        parameters: { tagName: { type: 'String' } },
        policyRule: {
          if: {
            field: "[concat('tags[', parameters('tagName'), ']')]",
            exists: 'false',
          },
          then: { effect: 'deny' },
        },
      });
    });

    it('serves "Inherit a tag from the resource group" with its modify rule, and no version fields before 2023-04-01', async () => {
      const res = await get(
        `/providers/Microsoft.Authorization/policyDefinitions/${INHERIT_FROM_GROUP}?api-version=2021-06-01`,
      );
      expect(res.status).toBe(200);
      const { properties } = res.json();
      expect(properties.displayName).toBe(
        'Inherit a tag from the resource group',
      );
      expect(properties.policyRule.then).toMatchObject({
        effect: 'modify',
        details: {
          operations: [
            {
              operation: 'addOrReplace',
              value: "[resourceGroup().tags[parameters('tagName')]]",
            },
          ],
        },
      });
      expect(properties.version).toBeUndefined();
    });

    it('answers an unknown definition with 404 PolicyDefinitionNotFound in ARM error shape', async () => {
      const unknown = '00000000-1111-2222-3333-444444444444';
      const res = await get(
        `/providers/Microsoft.Authorization/policyDefinitions/${unknown}?api-version=2023-04-01`,
      );
      expect(res.status).toBe(404);
      expect(res.json()).toEqual({
        error: {
          code: 'PolicyDefinitionNotFound',
          message: `The policy definition '${unknown}' could not be found.`,
          details: [],
        },
      });
      // Built-ins are not the subscription's (custom) definitions.
      const atSubscription = await get(
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Authorization/policyDefinitions/${REQUIRE_TAG}?api-version=2023-04-01`,
      );
      expect(atSubscription.status).toBe(404);
      expect(atSubscription.json().error.code).toBe('PolicyDefinitionNotFound');
    });

    it('lists the built-in tag definitions, filtered by category', async () => {
      const res = await get(
        `/providers/Microsoft.Authorization/policyDefinitions?api-version=2023-04-01&$filter=${encodeURIComponent(
          "category eq 'Tags'",
        )}`,
      );
      expect(res.status).toBe(200);
      const ids = res.json().value.map((d: any) => d.name);
      expect(ids).toEqual(
        expect.arrayContaining([
          REQUIRE_TAG,
          INHERIT_FROM_GROUP,
          '1e30110a-5ceb-460c-a204-c1c3969c6d62',
          '40df99da-1232-49b1-a39a-6da8d878f469',
        ]),
      );
    });
  });

  describe('control API', () => {
    it('creates and deletes assignments, checking definition and parameters as Azure does', async () => {
      const post = (body: object) =>
        rawRequest(emulator, 'POST', '/_emulator/policy-assignments', { body });
      const created = await post({
        scope: `/subscriptions/${DATA_SUB}`,
        name: 'require-env',
        policyDefinitionId: '1e30110a-5ceb-460c-a204-c1c3969c6d62',
        parameters: { tagName: { value: 'env' }, tagValue: { value: 'prod' } },
      });
      expect(created.status).toBe(201);

      const missing = await post({
        scope: `/subscriptions/${DATA_SUB}`,
        policyDefinitionId: '1e30110a-5ceb-460c-a204-c1c3969c6d62',
        parameters: { tagName: { value: 'env' } },
      });
      expect(missing.status).toBe(400);
      expect(missing.json().error.code).toBe('MissingPolicyParameter');
      const unknown = await post({
        scope: `/subscriptions/${DATA_SUB}`,
        policyDefinitionId: 'not-a-definition',
      });
      expect(unknown.status).toBe(404);
      expect(unknown.json().error.code).toBe('PolicyDefinitionNotFound');

      expect(
        emulator.control
          .listPolicyAssignments({ scope: `/subscriptions/${DATA_SUB}` })
          .map(a => a.name),
      ).toEqual(['require-env']);
      const id = `/subscriptions/${DATA_SUB}${ASSIGNMENTS}/require-env`;
      const deleted = await rawRequest(
        emulator,
        'DELETE',
        `/_emulator/policy-assignments?id=${encodeURIComponent(id)}`,
      );
      expect(deleted.status).toBe(204);
      expect(
        emulator.control.listPolicyAssignments({
          scope: `/subscriptions/${DATA_SUB}`,
        }),
      ).toEqual([]);
    });

    it('reset brings back the fixture assignments', () => {
      const id = `/subscriptions/${PLATFORM_SUB}${ASSIGNMENTS}/require-owner-tag`;
      expect(emulator.control.removePolicyAssignment(id)).toBe(true);
      emulator.control.reset();
      expect(
        emulator.control
          .listPolicyAssignments()
          .map(a => a.name)
          .sort(),
      ).toEqual(['inherit-costcenter-tag', 'require-owner-tag']);
    });
  });
});
