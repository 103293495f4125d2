import { ResourceManagementClient } from '@azure/arm-resources';
import { emulatorClientOptions } from '../clientOptions';
import { DEMO_APP, DEMO_TENANT } from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  appCredential,
  rawRequest,
  startTestEmulator,
} from '../__testUtils__/emulatorTestKit';
import { DEMO_SUBSCRIPTIONS } from '../model/demoIdentities';

const PLATFORM_SUB = DEMO_SUBSCRIPTIONS.platform;
const RG = 'rg-platform-network';
const RESOURCES_PATH = `/subscriptions/${PLATFORM_SUB}/resourcegroups/${RG}`;

describe('control API, faults and throttling', () => {
  let emulator: AzureEmulator;
  let client: ResourceManagementClient;
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
    client = new ResourceManagementClient(
      appCredential(emulator),
      PLATFORM_SUB,
      emulatorClientOptions(emulator),
    );
  });

  const armCalls = () =>
    emulator.control
      .requests()
      .filter(r => r.path.toLowerCase() === RESOURCES_PATH);

  describe('faults', () => {
    it('serves an injected 503 once; the SDK retries and succeeds', async () => {
      const fault = emulator.control.injectFault({
        match: { method: 'GET', pathPattern: `/resourcegroups/${RG}$` },
        status: 503,
        times: 1,
      });
      const group = await client.resourceGroups.get(RG);
      expect(group.name).toBe(RG);
      expect(armCalls().map(r => [r.status, r.faultId])).toEqual([
        [503, fault.id],
        [200, null],
      ]);
      expect(emulator.control.listFaults()).toEqual([]);
    });

    it('resets the connection; the SDK retries and succeeds', async () => {
      emulator.control.injectFault({
        match: { pathPattern: `/resourcegroups/${RG}$` },
        reset: true,
      });
      expect((await client.resourceGroups.get(RG)).name).toBe(RG);
      expect(armCalls().map(r => r.status)).toEqual([0, 200]);
    });

    it('returns a malformed body that the SDK cannot parse', async () => {
      emulator.control.injectFault({
        match: { pathPattern: `/resourcegroups/${RG}$` },
        malformed: true,
      });
      await expect(client.resourceGroups.get(RG)).rejects.toThrow();
    });

    it('delays a response', async () => {
      emulator.control.injectFault({
        match: { pathPattern: `/resourcegroups/${RG}$` },
        delayMs: 300,
      });
      const started = Date.now();
      await client.resourceGroups.get(RG);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    });

    it('applies a fault every time with times: 0, until cleared', async () => {
      emulator.control.injectFault({
        match: { method: 'GET', pathPattern: `/resourcegroups/${RG}$` },
        status: 404,
        code: 'ResourceGroupNotFound',
        times: 0,
      });
      await expect(client.resourceGroups.get(RG)).rejects.toMatchObject({
        statusCode: 404,
        code: 'ResourceGroupNotFound',
      });
      await expect(client.resourceGroups.get(RG)).rejects.toMatchObject({
        statusCode: 404,
      });
      emulator.control.clearFaults();
      expect((await client.resourceGroups.get(RG)).name).toBe(RG);
    });

    it('lets the first matching requests through with skip, to fail a later page', async () => {
      emulator.control.injectFault({
        match: { method: 'GET', pathPattern: `/resourcegroups/${RG}$` },
        status: 404,
        code: 'ResourceGroupNotFound',
        skip: 2,
      });
      expect((await client.resourceGroups.get(RG)).name).toBe(RG);
      expect((await client.resourceGroups.get(RG)).name).toBe(RG);
      await expect(client.resourceGroups.get(RG)).rejects.toMatchObject({
        statusCode: 404,
      });
      expect((await client.resourceGroups.get(RG)).name).toBe(RG);
    });
  });

  describe('throttling', () => {
    it('answers 429 with Retry-After, which the SDK honours before retrying', async () => {
      emulator.control.configureThrottling({
        reads: { capacity: 1, refillPerSecond: 1 },
      });
      await client.resourceGroups.get(RG);
      const started = Date.now();
      await client.resourceGroups.get(RG);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(armCalls().map(r => r.status)).toEqual([200, 429, 200]);
    });

    it('reports the remaining reads, and a 429 body in ARM shape', async () => {
      emulator.control.configureThrottling({
        reads: { capacity: 2, refillPerSecond: 0.01 },
      });
      const token = (await appCredential(emulator).getToken(
        'https://management.azure.com/.default',
      ))!.token;
      const get = () =>
        rawRequest(
          emulator,
          'GET',
          `${RESOURCES_PATH}?api-version=2025-04-01`,
          { headers: { authorization: `Bearer ${token}` } },
        );
      expect(
        (await get()).headers['x-ms-ratelimit-remaining-subscription-reads'],
      ).toBe('1');
      expect(
        (await get()).headers['x-ms-ratelimit-remaining-subscription-reads'],
      ).toBe('0');
      const throttled = await get();
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(
        1,
      );
      expect(throttled.json().error.code).toBe('SubscriptionRequestsThrottled');
    });

    it('has a stricter, separate limit for Cost Management', async () => {
      const token = (await appCredential(emulator).getToken(
        'https://management.azure.com/.default',
      ))!.token;
      const res = await rawRequest(
        emulator,
        'POST',
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.CostManagement/query?api-version=2022-10-01`,
        {
          headers: { authorization: `Bearer ${token}` },
          body: {
            type: 'ActualCost',
            timeframe: 'MonthToDate',
            dataset: {
              aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
            },
          },
        },
      );
      expect(res.status).toBe(200);
      expect(
        res.headers['x-ms-ratelimit-microsoft.costmanagement-qpu-remaining'],
      ).toBe('QueriesPerHour:599,QueriesPerMin:59,QueriesPer10Sec:11');
    });

    it('can be turned off', async () => {
      emulator.control.configureThrottling({
        enabled: false,
        reads: { capacity: 1, refillPerSecond: 0.01 },
      });
      await client.resourceGroups.get(RG);
      await client.resourceGroups.get(RG);
      expect(armCalls().map(r => r.status)).toEqual([200, 200]);
    });
  });

  describe('HTTP control API under /_emulator/', () => {
    it('injects faults and reads the request log with the principal', async () => {
      const injected = await rawRequest(emulator, 'POST', '/_emulator/faults', {
        body: {
          match: { method: 'GET', pathPattern: `/resourcegroups/${RG}$` },
          status: 500,
          times: 1,
        },
      });
      expect(injected.status).toBe(201);
      expect(
        (await rawRequest(emulator, 'GET', '/_emulator/faults')).json().value,
      ).toHaveLength(1);
      await client.resourceGroups.get(RG);
      const log = (
        await rawRequest(emulator, 'GET', '/_emulator/requests')
      ).json().value;
      const calls = log.filter(
        (r: any) => r.path.toLowerCase() === RESOURCES_PATH,
      );
      expect(calls.map((r: any) => [r.method, r.status, r.principal])).toEqual([
        ['GET', 500, spObjectId],
        ['GET', 200, spObjectId],
      ]);
      expect(
        (await rawRequest(emulator, 'DELETE', '/_emulator/faults')).status,
      ).toBe(204);
    });

    it('reads tags and role assignments without going through ARM: nothing is logged or faulted', async () => {
      const [first] = await firstResource();
      emulator.control.editTags({
        resourceId: first.id!,
        set: { 'reliability-probe': 'x' },
      });
      emulator.control.injectFault({ match: {}, status: 500, times: 0 });
      const mark = emulator.control.requests().at(-1)?.seq ?? 0;
      expect(emulator.control.getTags(first.id!)).toMatchObject({
        'reliability-probe': 'x',
      });
      const tags = await rawRequest(
        emulator,
        'GET',
        `/_emulator/tags?resourceId=${encodeURIComponent(first.id!)}`,
      );
      expect(tags.status).toBe(200);
      expect(tags.json().tags['reliability-probe']).toBe('x');
      expect(
        emulator.control
          .listRoleAssignments({ principalId: spObjectId })
          .map(a => [a.scope, a.roleDefinitionGuid]),
      ).toEqual([
        [
          `/subscriptions/${PLATFORM_SUB}`,
          'acdd72a7-3385-48ef-bd42-f606fba81ae7',
        ],
      ]);
      const assignments = await rawRequest(
        emulator,
        'GET',
        `/_emulator/role-assignments?principalId=${spObjectId}&scope=/subscriptions/${PLATFORM_SUB}`,
      );
      expect(assignments.json().value).toHaveLength(1);
      expect(
        (await rawRequest(emulator, 'GET', '/_emulator/tags')).status,
      ).toBe(400);
      expect(() => emulator.control.getTags(`${first.id}-gone`)).toThrow(
        /was not found/,
      );
      expect(emulator.control.requests(mark)).toEqual([]);
      emulator.control.clearFaults();

      // Revoked as an admin would in the Azure portal.
      const removed = await rawRequest(
        emulator,
        'DELETE',
        `/_emulator/role-assignments?principalId=${spObjectId}`,
      );
      expect(removed.json()).toEqual({ removed: 1 });
      expect(
        emulator.control.listRoleAssignments({ principalId: spObjectId }),
      ).toEqual([]);
      expect(
        emulator.control.removeRoleAssignments({ principalId: spObjectId }),
      ).toBe(0);
    });

    it('edits a tag, adds and deletes a resource as someone in the Azure portal would, then resets', async () => {
      const [first] = await firstResource();
      const edited = await rawRequest(emulator, 'PATCH', '/_emulator/tags', {
        body: {
          resourceId: first.id,
          set: { owner: 'team-payments' },
          remove: ['env'],
        },
      });
      expect(edited.status).toBe(200);
      expect(
        (await client.resources.getById(first.id!, '2024-07-01')).tags,
      ).toEqual(edited.json().tags);

      const added = await rawRequest(emulator, 'POST', '/_emulator/resources', {
        body: {
          subscriptionId: PLATFORM_SUB,
          resourceGroup: 'rg-new',
          type: 'Microsoft.Storage/storageAccounts',
          name: 'stnew001',
          location: 'westeurope',
          tags: { owner: 'Platform' },
        },
      });
      expect(added.status).toBe(201);
      const newId = added.json().id;
      expect(
        (await client.resources.getById(newId, '2023-01-01')).tags,
      ).toEqual({ owner: 'Platform' });
      expect((await client.resourceGroups.get('rg-new')).location).toBe(
        'westeurope',
      );

      expect(
        (
          await rawRequest(
            emulator,
            'DELETE',
            `/_emulator/resources?id=${encodeURIComponent(newId)}`,
          )
        ).status,
      ).toBe(204);
      await expect(
        client.resources.getById(newId, '2023-01-01'),
      ).rejects.toMatchObject({ statusCode: 404 });

      expect(
        (await rawRequest(emulator, 'POST', '/_emulator/reset')).status,
      ).toBe(204);
      expect(
        emulator.control.servicePrincipal(DEMO_TENANT.id, DEMO_APP.clientId),
      ).toBeUndefined();
      expect(
        (await rawRequest(emulator, 'GET', '/_emulator/requests')).json().value,
      ).toEqual([]);
    });

    it('pre-consents an app, sets the consent decision and the throttling', async () => {
      await rawRequest(emulator, 'POST', '/_emulator/reset');
      const consent = await rawRequest(
        emulator,
        'POST',
        '/_emulator/consents',
        { body: { tenantId: DEMO_TENANT.id, clientId: DEMO_APP.clientId } },
      );
      expect(consent.status).toBe(201);
      expect(consent.json().objectId).toMatch(/^[0-9a-f-]{36}$/);
      expect(
        (
          await rawRequest(emulator, 'PUT', '/_emulator/consent-decision', {
            body: { decision: 'deny' },
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await rawRequest(emulator, 'PUT', '/_emulator/throttling', {
            body: { enabled: false },
          })
        ).json().enabled,
      ).toBe(false);
      const state = (
        await rawRequest(emulator, 'GET', '/_emulator/state')
      ).json();
      expect(state.consentDecision).toBe('deny');
      expect(state.subscriptions).toHaveLength(3);
      expect(
        (await rawRequest(emulator, 'GET', '/_emulator/nope')).status,
      ).toBe(404);
    });
  });

  async function firstResource() {
    const items = [];
    for await (const r of client.resources.list({ top: 1 })) {
      items.push(r);
      break;
    }
    return items;
  }

  describe('latency', () => {
    it('adds --latency-ms to every Azure response', async () => {
      const slow = await startTestEmulator({ latencyMs: 250 });
      try {
        const started = Date.now();
        await rawRequest(
          slow,
          'GET',
          `/${DEMO_TENANT.id}/v2.0/.well-known/openid-configuration`,
        );
        expect(Date.now() - started).toBeGreaterThanOrEqual(240);
      } finally {
        await slow.stop();
      }
    });
  });
});
