import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ResourceManagementClient } from '@azure/arm-resources';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { emulatorClientOptions } from '../clientOptions';
import { supportedApiVersions } from './apiVersions';
import { DEMO_APP, DEMO_TENANT, DEMO_USER } from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  appCredential,
  expectMatchesExample,
  rawRequest,
  startTestEmulator,
  staticTokenCredential,
  userAccessToken,
} from '../__testUtils__/emulatorTestKit';
import { DEMO_SUBSCRIPTIONS } from '../model/demoIdentities';

const PLATFORM_SUB = DEMO_SUBSCRIPTIONS.platform;
const PAYMENTS_SUB = DEMO_SUBSCRIPTIONS.payments;
const DATA_SUB = DEMO_SUBSCRIPTIONS.dataEurope;
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const TAG_CONTRIBUTOR = '4a9ae827-6dc8-4573-8ac7-8239d42aa03f';
const ALICE = 'alice@contoso.example';
const BOB = 'bob@contoso.example';

describe('ARM', () => {
  let emulator: AzureEmulator;
  let spObjectId: string;

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.control.reset();
    spObjectId = emulator.control.consent(
      DEMO_TENANT.id,
      DEMO_APP.clientId,
    ).objectId;
    emulator.control.assignRole({
      scope: `/subscriptions/${PLATFORM_SUB}`,
      principalId: spObjectId,
      role: 'Reader',
    });
    emulator.control.assignRole({
      scope: `/subscriptions/${PLATFORM_SUB}`,
      principalId: spObjectId,
      role: 'Tag Contributor',
    });
    emulator.control.assignRole({
      scope: `/subscriptions/${PAYMENTS_SUB}`,
      principalId: spObjectId,
      role: 'Tag Contributor',
    });
  });

  const resources = (subscriptionId: string) =>
    new ResourceManagementClient(
      appCredential(emulator),
      subscriptionId,
      emulatorClientOptions(emulator),
    );
  const authorization = (token: string, subscriptionId = PLATFORM_SUB) =>
    new AuthorizationManagementClient(
      staticTokenCredential(token),
      subscriptionId,
      emulatorClientOptions(emulator),
    );
  const appToken = async () =>
    (await appCredential(emulator).getToken(
      'https://management.azure.com/.default',
    ))!.token;

  async function collect<T>(
    iterator: AsyncIterable<T>,
    max: number,
  ): Promise<T[]> {
    const items: T[] = [];
    for await (const item of iterator) {
      items.push(item);
      if (items.length >= max) break;
    }
    return items;
  }
  const firstResources = (subscriptionId: string, n: number) =>
    collect(resources(subscriptionId).resources.list(), n);

  describe('GET /subscriptions', () => {
    it('lists only the subscriptions the caller has a role on, in the shape of the spec example', async () => {
      const client = new SubscriptionClient(
        appCredential(emulator),
        emulatorClientOptions(emulator),
      );
      const listed = [];
      for await (const s of client.subscriptions.list()) listed.push(s);
      expect(listed.map(s => s.subscriptionId).sort()).toEqual(
        [PLATFORM_SUB, PAYMENTS_SUB].sort(),
      );

      // specification/resources/resource-manager/Microsoft.Resources/stable/2022-12-01/examples/GetSubscriptions.json
      const example = {
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
        authorizationSource: 'RoleBased',
        managedByTenants: [],
        tags: { tagKey1: 'tagValue1' },
      };
      const raw = await rawRequest(
        emulator,
        'GET',
        '/subscriptions?api-version=2022-12-01',
        {
          headers: { authorization: `Bearer ${await appToken()}` },
        },
      );
      const platform = raw
        .json()
        .value.find((s: any) => s.subscriptionId === PLATFORM_SUB);
      expectMatchesExample(platform, example);
      expect(platform.id).toBe(`/subscriptions/${PLATFORM_SUB}`);
      expect(platform.tenantId).toBe(DEMO_TENANT.id);
      expect(platform.state).toBe('Enabled');
      expect(platform.authorizationSource).toBe('RoleBased');
    });

    it('lists all three demo subscriptions for the demo user', async () => {
      const token = await userAccessToken(
        emulator,
        DEMO_USER.userPrincipalName,
      );
      const client = new SubscriptionClient(
        staticTokenCredential(token),
        emulatorClientOptions(emulator),
      );
      const names = [];
      for await (const s of client.subscriptions.list())
        names.push(s.displayName);
      expect(names).toHaveLength(3);
    });

    it('answers a request without a token with 401 AuthenticationFailed and a Bearer challenge', async () => {
      const res = await rawRequest(
        emulator,
        'GET',
        '/subscriptions?api-version=2022-12-01',
      );
      expect(res.status).toBe(401);
      expect(res.json().error.code).toBe('AuthenticationFailed');
      expect(res.headers['www-authenticate']).toMatch(
        /^Bearer authorization_uri=/,
      );
    });
  });

  describe('GET /subscriptions/{s}/resourcegroups', () => {
    it('lists resource groups in the shape of the spec example', async () => {
      const groups = [];
      for await (const g of resources(PLATFORM_SUB).resourceGroups.list())
        groups.push(g);
      expect(groups.map(g => g.name)).toContain('rg-platform-aks-prod');
      const raw = await rawRequest(
        emulator,
        'GET',
        `/subscriptions/${PLATFORM_SUB}/resourcegroups?api-version=2025-04-01`,
        {
          headers: { authorization: `Bearer ${await appToken()}` },
        },
      );
      // specification/resources/resource-manager/Microsoft.Resources/stable/2022-09-01/examples/CreateResourceGroup.json (200)
      const example = {
        id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-resource-group',
        name: 'my-resource-group',
        location: 'eastus',
        properties: { provisioningState: 'Succeeded' },
      };
      const group = raw.json().value[0];
      expectMatchesExample(group, example);
      expect(group.id).toBe(
        `/subscriptions/${PLATFORM_SUB}/resourceGroups/${group.name}`,
      );
      expect(group.properties.provisioningState).toBe('Succeeded');
    });
  });

  describe('GET /subscriptions/{s}/resources', () => {
    it('pages with $top and nextLink until every resource is listed', async () => {
      emulator.control.clearRequests();
      const ids = new Set<string>();
      for await (const r of resources(PLATFORM_SUB).resources.list({ top: 7 }))
        ids.add(r.id!);
      expect(ids.size).toBe(80);
      const pages = emulator.control
        .requests()
        .filter(r => r.path === `/subscriptions/${PLATFORM_SUB}/resources`);
      expect(pages).toHaveLength(Math.ceil(80 / 7));
      expect(pages[1].query).toMatch(/\$skiptoken=/);
    });

    it('filters by resource type and by tag, and expands createdTime and changedTime', async () => {
      const vms = [];
      for await (const r of resources(PLATFORM_SUB).resources.list({
        filter: "resourceType eq 'Microsoft.Compute/virtualMachines'",
        expand: 'createdTime,changedTime',
      }))
        vms.push(r);
      expect(vms.length).toBeGreaterThan(0);
      expect(
        vms.every(r => r.type === 'Microsoft.Compute/virtualMachines'),
      ).toBe(true);
      expect(vms[0].createdTime).toBeInstanceOf(Date);
      expect(vms[0].changedTime).toBeInstanceOf(Date);

      const tagged = [];
      for await (const r of resources(PLATFORM_SUB).resources.list({
        filter: "tagName eq 'OWNER' and tagValue eq 'team-platform'",
      }))
        tagged.push(r);
      expect(tagged.length).toBeGreaterThan(0);
      expect(
        tagged.every(r =>
          Object.entries(r.tags ?? {}).some(
            ([k, v]) => k.toLowerCase() === 'owner' && v === 'team-platform',
          ),
        ),
      ).toBe(true);
    });

    it('lists a resource group and returns items with the GenericResourceExpanded fields', async () => {
      const raw = await rawRequest(
        emulator,
        'GET',
        `/subscriptions/${PLATFORM_SUB}/resourceGroups/rg-platform-aks-prod/resources?api-version=2025-04-01&$expand=createdTime,changedTime,provisioningState`,
        { headers: { authorization: `Bearer ${await appToken()}` } },
      );
      // No list example exists in the specs; this follows the GenericResourceExpanded definition in
      // specification/resources/resource-manager/Microsoft.Resources/stable/2022-09-01/resources.json
      const item = raw.json().value[0];
      expectMatchesExample(item, {
        id: 'string',
        name: 'string',
        type: 'string',
        location: 'string',
        createdTime: '2024-01-01T00:00:00Z',
        changedTime: '2024-01-01T00:00:00Z',
        provisioningState: 'Succeeded',
      });
      expect(item.id).toMatch(
        new RegExp(
          `^/subscriptions/${PLATFORM_SUB}/resourceGroups/rg-platform-aks-prod/providers/`,
        ),
      );
    });

    it('refuses a principal without a role on the subscription with 403 AuthorizationFailed', async () => {
      const list = async () => {
        for await (const _ of resources(DATA_SUB).resources.list()) break;
      };
      await expect(list()).rejects.toMatchObject({
        statusCode: 403,
        code: 'AuthorizationFailed',
      });
    });
  });

  describe('GET /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}', () => {
    it('returns one resource with its tags, with the GenericResource fields', async () => {
      const [first] = await firstResources(PLATFORM_SUB, 1);
      const resource = await resources(PLATFORM_SUB).resources.getById(
        first.id!,
        '2024-07-01',
      );
      expect(resource.id).toBe(first.id);
      expect(resource.tags).toEqual(first.tags ?? {});
      const raw = await rawRequest(
        emulator,
        'GET',
        `${first.id}?api-version=2024-07-01`,
        { headers: { authorization: `Bearer ${await appToken()}` } },
      );
      // GenericResource in specification/resources/resource-manager/Microsoft.Resources/stable/2022-09-01/resources.json
      expectMatchesExample(raw.json(), {
        id: 'string',
        name: 'string',
        type: 'string',
        location: 'string',
        tags: {},
        properties: {},
      });
    });

    it('answers a missing resource with 404 ResourceNotFound', async () => {
      await expect(
        resources(PLATFORM_SUB).resources.getById(
          `/subscriptions/${PLATFORM_SUB}/resourceGroups/rg-platform-aks-prod/providers/Microsoft.Compute/virtualMachines/nope`,
          '2024-07-01',
        ),
      ).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    });

    it('refuses Tag Contributor alone (no read on the resource itself)', async () => {
      const token = await userAccessToken(
        emulator,
        DEMO_USER.userPrincipalName,
      );
      const owner = new ResourceManagementClient(
        staticTokenCredential(token),
        PAYMENTS_SUB,
        emulatorClientOptions(emulator),
      );
      const [first] = await collect(owner.resources.list({ top: 1 }), 1);
      // A version of the resource's own type, as ARM checks it before the permission.
      const [namespace, type] = first.type!.split('/');
      const [version] = supportedApiVersions(namespace, type)!;
      await expect(
        resources(PAYMENTS_SUB).resources.getById(first.id!, version),
      ).rejects.toMatchObject({ statusCode: 403 });
    });
  });

  describe('tags at scope', () => {
    it('reads, replaces, merges, deletes by name and deletes all tags of a resource', async () => {
      const client = resources(PLATFORM_SUB);
      const [first] = await firstResources(PLATFORM_SUB, 1);
      const scope = first.id!;
      const put = await client.tagsOperations.createOrUpdateAtScope(scope, {
        properties: { tags: { owner: 'team-data', env: 'prod' } },
      });
      expect(put.properties.tags).toEqual({ owner: 'team-data', env: 'prod' });

      const merged = await client.tagsOperations.updateAtScope(scope, {
        operation: 'Merge',
        properties: { tags: { Owner: 'team-platform', app: 'x' } },
      });
      // Tag names are case-insensitive: "Owner" replaces "owner".
      expect(merged.properties.tags).toEqual({
        env: 'prod',
        Owner: 'team-platform',
        app: 'x',
      });

      const deleted = await client.tagsOperations.updateAtScope(scope, {
        operation: 'Delete',
        properties: { tags: { app: '' } },
      });
      expect(deleted.properties.tags).toEqual({
        env: 'prod',
        Owner: 'team-platform',
      });

      const replaced = await client.tagsOperations.updateAtScope(scope, {
        operation: 'Replace',
        properties: { tags: { only: 'this' } },
      });
      expect(replaced.properties.tags).toEqual({ only: 'this' });
      expect(
        (await client.tagsOperations.getAtScope(scope)).properties.tags,
      ).toEqual({ only: 'this' });

      await client.tagsOperations.deleteAtScope(scope);
      expect(
        (await client.tagsOperations.getAtScope(scope)).properties.tags,
      ).toEqual({});
      expect(
        (await client.resources.getById(scope, '2024-07-01')).tags,
      ).toEqual({});
    });

    it('answers PATCH in the shape of the spec example', async () => {
      const [first] = await firstResources(PLATFORM_SUB, 1);
      const res = await rawRequest(
        emulator,
        'PATCH',
        `${first.id}/providers/Microsoft.Resources/tags/default?api-version=2025-04-01`,
        {
          headers: { authorization: `Bearer ${await appToken()}` },
          body: {
            operation: 'Replace',
            properties: {
              tags: { tagKey1: 'tag-value-1', tagKey2: 'tag-value-2' },
            },
          },
        },
      );
      expect(res.status).toBe(200);
      // specification/resources/resource-manager/Microsoft.Resources/resources/stable/2025-04-01/examples/PatchTagsResource.json
      const example = {
        id: 'subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/my-resource-group/providers/myPRNameSpace/VM/myVm',
        properties: {
          tags: { tagKey1: 'tag-value-1', tagKey2: 'tag-value-2' },
        },
      };
      expectMatchesExample(res.json(), example);
      expect(res.json().properties.tags).toEqual(example.properties.tags);
      expect(res.json().id).toBe(
        `${first.id}/providers/Microsoft.Resources/tags/default`,
      );
    });

    // Microsoft Learn, "Use tags to organize your Azure resources" (azure-resource-manager/management/tag-resources),
    // Limitations: a tag name may not hold < > % & \ ? /; any other name is allowed, `__proto__` too. Merge and
    // Delete as in specification/resources/resource-manager/Microsoft.Resources/resources/stable/2025-04-01/examples/
    // PatchTagsResource.json.
    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
      'keeps the tag name %s through Merge, GET and Delete',
      async name => {
        const [first] = await firstResources(PLATFORM_SUB, 1);
        const url = `${first.id}/providers/Microsoft.Resources/tags/default?api-version=2025-04-01`;
        const headers = { authorization: `Bearer ${await appToken()}` };
        // The body as a client sends it: JSON text whose object holds the name as its own key.
        const patch = (operation: string) =>
          rawRequest(emulator, 'PATCH', url, {
            headers,
            body: {
              operation,
              properties: { tags: { [name]: 'kept', team: 'x' } },
            },
          });
        const merged = await patch('Merge');
        expect(merged.status).toBe(200);
        expect(Object.entries(merged.json().properties.tags)).toEqual(
          expect.arrayContaining([
            [name, 'kept'],
            ['team', 'x'],
          ]),
        );
        const read = await rawRequest(emulator, 'GET', url, { headers });
        expect(read.json().properties.tags[name]).toBe('kept');
        expect(emulator.control.getTags(first.id!)[name]).toBe('kept');

        const deleted = await patch('Delete');
        expect(deleted.status).toBe(200);
        expect(Object.keys(deleted.json().properties.tags).includes(name)).toBe(
          false,
        );
      },
    );

    it.each([
      [
        'more than 50 tags',
        Object.fromEntries(
          Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v']),
        ),
        'InvalidTags',
      ],
      [
        'a name longer than 512 characters',
        { ['n'.repeat(513)]: 'v' },
        'InvalidTagName',
      ],
      [
        'a value longer than 256 characters',
        { name: 'v'.repeat(257) },
        'InvalidTagValueLength',
      ],
      [
        'a name with a reserved character',
        { 'cost/center': 'v' },
        'InvalidTagNameCharacters',
      ],
      [
        'names that differ only in case',
        { Env: 'a', env: 'b' },
        'InvalidTagName',
      ],
    ])('refuses %s with %s', async (_what, tags, code) => {
      const [first] = await firstResources(PLATFORM_SUB, 1);
      await expect(
        resources(PLATFORM_SUB).tagsOperations.createOrUpdateAtScope(
          first.id!,
          { properties: { tags } },
        ),
      ).rejects.toMatchObject({ statusCode: 400, code });
      expect(
        (await resources(PLATFORM_SUB).tagsOperations.getAtScope(first.id!))
          .properties.tags,
      ).toEqual(first.tags ?? {});
    });

    it('accepts exactly 50 tags, 512-character names and 256-character values', async () => {
      const [first] = await firstResources(PLATFORM_SUB, 1);
      const tags = Object.fromEntries(
        Array.from({ length: 49 }, (_, i) => [`t${i}`, 'v']),
      );
      tags['n'.repeat(512)] = 'v'.repeat(256);
      const result = await resources(
        PLATFORM_SUB,
      ).tagsOperations.createOrUpdateAtScope(first.id!, {
        properties: { tags },
      });
      expect(Object.keys(result.properties.tags!)).toHaveLength(50);
    });

    it("refuses a Reader's tag write with 403 AuthorizationFailed", async () => {
      const token = await userAccessToken(emulator, BOB);
      const bob = new ResourceManagementClient(
        staticTokenCredential(token),
        PAYMENTS_SUB,
        emulatorClientOptions(emulator),
      );
      const [first] = await collect(bob.resources.list(), 1);
      await expect(
        bob.tagsOperations.updateAtScope(first.id!, {
          operation: 'Merge',
          properties: { tags: { owner: 'bob' } },
        }),
      ).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    });

    it('lets a Tag Contributor write tags at subscription, resource group and resource scope', async () => {
      const client = resources(PAYMENTS_SUB);
      await client.tagsOperations.updateAtScope(
        `/subscriptions/${PAYMENTS_SUB}`,
        { operation: 'Merge', properties: { tags: { a: '1' } } },
      );
      await client.tagsOperations.updateAtScope(
        `/subscriptions/${PAYMENTS_SUB}/resourceGroups/rg-payments-dev`,
        { operation: 'Merge', properties: { tags: { b: '2' } } },
      );
      const [first] = await collect(client.resources.list(), 1);
      const result = await client.tagsOperations.updateAtScope(first.id!, {
        operation: 'Merge',
        properties: { tags: { c: '3' } },
      });
      expect(result.properties.tags).toMatchObject({ c: '3' });
    });
  });

  describe('role assignments', () => {
    const scope = `/subscriptions/${PLATFORM_SUB}`;
    const readerDefinition = `${scope}/providers/Microsoft.Authorization/roleDefinitions/${READER}`;

    it('creates an assignment (201) in the shape of the spec example, and answers a duplicate with 409 RoleAssignmentExists', async () => {
      const token = await userAccessToken(
        emulator,
        DEMO_USER.userPrincipalName,
      );
      const raw = await rawRequest(
        emulator,
        'PUT',
        `${scope}/providers/Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff?api-version=2022-04-01`,
        {
          headers: { authorization: `Bearer ${token}` },
          body: {
            properties: {
              roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${TAG_CONTRIBUTOR}`,
              principalId: DEMO_USER.oid,
              principalType: 'User',
            },
          },
        },
      );
      expect(raw.status).toBe(201);
      // specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/examples/RoleAssignments_CreateForSubscription.json (201)
      const example = {
        properties: {
          roleDefinitionId:
            '/providers/Microsoft.Authorization/roleDefinitions/0b5fe924-9a61-425c-96af-cfe6e287ca2d',
          principalId: 'ce2ce14e-85d7-4629-bdbc-454d0519d987',
          principalType: 'User',
          scope: '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2',
        },
        id: '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/providers/Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff',
        type: 'Microsoft.Authorization/roleAssignments',
        name: '05c5a614-a7d6-4502-b150-c2fb455033ff',
      };
      const body = raw.json();
      expectMatchesExample(body, example);
      expect(body.id).toBe(
        `${scope}/providers/Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff`,
      );
      expect(body.type).toBe(example.type);
      expect(body.name).toBe(example.name);
      expect(body.properties.scope).toBe(scope);
      expect(body.properties.roleDefinitionId).toMatch(
        new RegExp(
          `/providers/Microsoft.Authorization/roleDefinitions/${TAG_CONTRIBUTOR}$`,
        ),
      );

      const client = authorization(token);
      await expect(
        client.roleAssignments.create(
          scope,
          '7d0b6c4e-3f1a-4a8b-9c2d-1e0f5a6b7c8d',
          {
            roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${TAG_CONTRIBUTOR}`,
            principalId: DEMO_USER.oid,
          },
        ),
      ).rejects.toMatchObject({
        statusCode: 409,
        code: 'RoleAssignmentExists',
      });
    });

    it('assigns Reader and Tag Contributor to the service principal, then lists them with $filter', async () => {
      emulator.control.reset();
      const sp = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
      const userClient = authorization(
        await userAccessToken(emulator, DEMO_USER.userPrincipalName),
      );
      await userClient.roleAssignments.create(
        scope,
        'a1a1a1a1-0000-4000-8000-000000000001',
        {
          roleDefinitionId: readerDefinition,
          principalId: sp.objectId,
          principalType: 'ServicePrincipal',
        },
      );
      await userClient.roleAssignments.create(
        scope,
        'a1a1a1a1-0000-4000-8000-000000000002',
        {
          roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${TAG_CONTRIBUTOR}`,
          principalId: sp.objectId,
        },
      );
      const forSp = [];
      for await (const a of userClient.roleAssignments.listForSubscription({
        filter: `principalId eq '${sp.objectId}'`,
      }))
        forSp.push(a);
      expect(
        forSp.map(a => a.roleDefinitionId!.split('/').pop()).sort(),
      ).toEqual([READER, TAG_CONTRIBUTOR].sort());

      const atGroup = [];
      for await (const a of userClient.roleAssignments.listForScope(
        `${scope}/resourceGroups/rg-platform-network`,
        { filter: 'atScope()' },
      ))
        atGroup.push(a);
      expect(
        atGroup.some(a => a.principalId === DEMO_USER.oid && a.scope === scope),
      ).toBe(true);
    });

    it('lists, gets and deletes in the shape of the spec examples', async () => {
      const token = await userAccessToken(
        emulator,
        DEMO_USER.userPrincipalName,
      );
      const list = await rawRequest(
        emulator,
        'GET',
        `${scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=atScope()`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      // specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/examples/RoleAssignments_ListForScope.json
      const item = {
        properties: {
          roleDefinitionId: '/providers/x',
          principalId: 'p',
          principalType: 'User',
          scope: '/subscriptions/a',
        },
        id: '/subscriptions/a/providers/Microsoft.Authorization/roleAssignments/b',
        type: 'Microsoft.Authorization/roleAssignments',
        name: 'b',
      };
      expectMatchesExample(list.json(), { value: [item] });
      const target = list
        .json()
        .value.find((a: any) => a.properties.principalId === spObjectId);
      const client = authorization(token);
      const got = await client.roleAssignments.get(scope, target.name);
      expect(got.principalId).toBe(spObjectId);

      const deleted = await rawRequest(
        emulator,
        'DELETE',
        `${target.id}?api-version=2022-04-01`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(deleted.status).toBe(200);
      // specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/examples/RoleAssignments_Delete.json
      expectMatchesExample(deleted.json(), item);
      const again = await rawRequest(
        emulator,
        'DELETE',
        `${target.id}?api-version=2022-04-01`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(again.status).toBe(204);
      await expect(
        client.roleAssignments.get(scope, target.name),
      ).rejects.toMatchObject({
        statusCode: 404,
        code: 'RoleAssignmentNotFound',
      });
    });

    it('needs Owner or User Access Administrator: a Reader and a Tag Contributor get 403', async () => {
      const bob = authorization(
        await userAccessToken(emulator, BOB),
        PAYMENTS_SUB,
      );
      await expect(
        bob.roleAssignments.create(
          `/subscriptions/${PAYMENTS_SUB}`,
          'b0b0b0b0-0000-4000-8000-000000000001',
          {
            roleDefinitionId: `/subscriptions/${PAYMENTS_SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
            principalId: spObjectId,
          },
        ),
      ).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
      const app = authorization(await appToken(), PAYMENTS_SUB);
      await expect(
        app.roleAssignments.create(
          `/subscriptions/${PAYMENTS_SUB}`,
          'b0b0b0b0-0000-4000-8000-000000000002',
          {
            roleDefinitionId: `/subscriptions/${PAYMENTS_SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
            principalId: spObjectId,
          },
        ),
      ).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });

      emulator.control.assignRole({
        scope: `/subscriptions/${PAYMENTS_SUB}`,
        principalId: '2c9d4e6f-7a8b-4c1d-9e2f-3a4b5c6d7e8f',
        role: 'User Access Administrator',
      });
      const aliceOnPayments = authorization(
        await userAccessToken(emulator, ALICE),
        PAYMENTS_SUB,
      );
      const created = await aliceOnPayments.roleAssignments.create(
        `/subscriptions/${PAYMENTS_SUB}`,
        'b0b0b0b0-0000-4000-8000-000000000003',
        {
          roleDefinitionId: `/subscriptions/${PAYMENTS_SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
          principalId: spObjectId,
        },
      );
      expect(created.principalId).toBe(spObjectId);
    });

    it('refuses an unknown principal with 400 PrincipalNotFound', async () => {
      const client = authorization(
        await userAccessToken(emulator, DEMO_USER.userPrincipalName),
      );
      await expect(
        client.roleAssignments.create(
          scope,
          'c0c0c0c0-0000-4000-8000-000000000001',
          {
            roleDefinitionId: readerDefinition,
            principalId: '99999999-9999-4999-8999-999999999999',
          },
        ),
      ).rejects.toMatchObject({ statusCode: 400, code: 'PrincipalNotFound' });
    });
  });

  describe('role definitions', () => {
    it.each([
      ['Owner', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'],
      ['Reader', 'acdd72a7-3385-48ef-bd42-f606fba81ae7'],
      ['Tag Contributor', '4a9ae827-6dc8-4573-8ac7-8239d42aa03f'],
      ['Cost Management Reader', '72fafb9e-0641-4937-9268-a91bfd8191a3'],
      ['User Access Administrator', '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9'],
    ])(
      'serves the built-in role %s with its real GUID',
      async (roleName, id) => {
        const client = authorization(await appToken());
        const byId = await client.roleDefinitions.getById(
          `/providers/Microsoft.Authorization/roleDefinitions/${id}`,
        );
        expect(byId.roleName).toBe(roleName);
        const found = [];
        for await (const d of client.roleDefinitions.list(
          `/subscriptions/${PLATFORM_SUB}`,
          { filter: `roleName eq '${roleName}'` },
        ))
          found.push(d);
        expect(found.map(d => d.name)).toEqual([id]);
      },
    );

    it('answers in the shape of the spec example', async () => {
      const res = await rawRequest(
        emulator,
        'GET',
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Authorization/roleDefinitions/${TAG_CONTRIBUTOR}?api-version=2022-04-01`,
        {
          headers: { authorization: `Bearer ${await appToken()}` },
        },
      );
      // specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/examples/GetRoleDefinitionById.json
      const example = {
        properties: {
          roleName: 'Role name',
          type: 'roletype',
          description: 'Role description',
          assignableScopes: ['/subscriptions/subId'],
          permissions: [
            {
              actions: ['action'],
              notActions: [],
              dataActions: ['dataAction'],
              notDataActions: [],
            },
          ],
        },
        id: '/subscriptions/subID/providers/Microsoft.Authorization/roleDefinitions/roleDefinitionId',
        type: 'Microsoft.Authorization/roleDefinitions',
        name: 'roleDefinitionId',
      };
      const body = res.json();
      expectMatchesExample(body, example);
      expect(body.id).toBe(
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Authorization/roleDefinitions/${TAG_CONTRIBUTOR}`,
      );
      expect(body.properties.type).toBe('BuiltInRole');
      expect(body.properties.permissions[0].actions).toContain(
        'Microsoft.Resources/tags/*',
      );
    });
  });
});
