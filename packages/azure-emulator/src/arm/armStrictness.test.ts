import { ResourceManagementClient } from '@azure/arm-resources';
import { emulatorClientOptions } from '../clientOptions';
import { DEMO_APP, DEMO_TENANT } from '../model/demoIdentities';
import { DEMO_SUBSCRIPTIONS } from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  DEFAULT_THROTTLING,
  TokenBucketThrottle,
} from '../throttling/TokenBucketThrottle';
import {
  appCredential,
  rawRequest,
  startTestEmulator,
} from '../__testUtils__/emulatorTestKit';

const PLATFORM_SUB = DEMO_SUBSCRIPTIONS.platform;
const TAGS_PATH = /\/providers\/Microsoft\.Resources\/tags\/default$/.source;

describe('ARM, as strict as Azure', () => {
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
    for (const role of ['Reader', 'Tag Contributor']) {
      emulator.control.assignRole({
        scope: `/subscriptions/${PLATFORM_SUB}`,
        principalId: objectId,
        role,
      });
    }
  });

  const token = async () =>
    (await appCredential(emulator).getToken(
      'https://management.azure.com/.default',
    ))!.token;
  const get = async (pathAndQuery: string) =>
    rawRequest(emulator, 'GET', pathAndQuery, {
      headers: { authorization: `Bearer ${await token()}` },
    });
  const client = () =>
    new ResourceManagementClient(
      appCredential(emulator),
      PLATFORM_SUB,
      emulatorClientOptions(emulator),
    );
  async function firstResource() {
    for await (const resource of client().resources.list()) return resource;
    throw new Error('The demo subscription has no resources.');
  }

  describe('api-version', () => {
    // ARM's answer for its own routes, as quoted in https://github.com/Azure/azure-cli/issues/28038 and
    // https://github.com/Azure/azure-sdk-for-python/issues/975 (2016-03-30 is a Compute version, refused by ARM for
    // resource groups): 400 InvalidApiVersionParameter, "The api-version '…' is invalid. The supported versions are '…'."
    it('refuses a version ARM does not know with 400 InvalidApiVersionParameter, naming the supported ones', async () => {
      for (const version of ['2016-03-30', '2099-01-01', 'latest']) {
        const res = await get(
          `/subscriptions/${PLATFORM_SUB}/resourcegroups?api-version=${version}`,
        );
        expect(res.status).toBe(400);
        expect(res.json().error.code).toBe('InvalidApiVersionParameter');
        expect(res.json().error.message).toMatch(
          new RegExp(
            `^The api-version '${version}' is invalid\\. The supported versions are '2025-04-01,.*,2022-12-01,.*'\\.$`,
          ),
        );
      }
    });

    it('accepts every version the SDKs of the product send', async () => {
      const accepted = [
        // @azure/arm-resources-subscriptions
        `/subscriptions?api-version=2022-12-01`,
        // @azure/arm-resources
        `/subscriptions/${PLATFORM_SUB}/resourcegroups?api-version=2025-04-01`,
        // @azure/arm-authorization (role assignments and role definitions)
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`,
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01`,
      ];
      for (const pathAndQuery of accepted) {
        expect({
          pathAndQuery,
          status: (await get(pathAndQuery)).status,
        }).toEqual({ pathAndQuery, status: 200 });
      }
    });

    it('checks the version of each resource type against its own list', async () => {
      const resource = await firstResource();
      // A version of another resource type (Resource Graph's) is no version of Microsoft.Authorization.
      const roleAssignments = await get(
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Authorization/roleAssignments?api-version=2024-04-01`,
      );
      // As quoted in https://github.com/Azure/acs-engine/issues/4037 and
      // https://github.com/Azure/azure-sdk-for-js/issues/15460: 404 InvalidResourceType, naming the versions.
      expect(roleAssignments.status).toBe(404);
      expect(roleAssignments.json().error).toMatchObject({
        code: 'InvalidResourceType',
        message: expect.stringMatching(
          /^The resource type 'roleAssignments' could not be found in the namespace 'Microsoft.Authorization' for api version '2024-04-01'\. The supported api-versions are '2022-04-01,.*'\.$/,
        ),
      });

      // A tracked resource (it has a location): 400 NoRegisteredProviderFound with its location, as
      // https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-register-resource-provider shows.
      const tracked = await get(`${resource.id}?api-version=2000-01-01`);
      expect(tracked.status).toBe(400);
      expect(tracked.json().error.code).toBe('NoRegisteredProviderFound');
      expect(tracked.json().error.message).toContain(
        `No registered resource provider found for location '${
          resource.location
        }' and API version '2000-01-01' for type '${
          resource.type!.split('/')[1]
        }'. The supported api-versions are '`,
      );
    });

    it('refuses an unknown namespace with 400 InvalidResourceNamespace', async () => {
      // "The resource namespace 'Microsoft.Container' is invalid." (https://github.com/Azure/aci-connector-k8s/issues/13)
      const res = await get(
        `/subscriptions/${PLATFORM_SUB}/resourceGroups/rg/providers/Microsoft.Container/containerGroups/x?api-version=2017-08-01-preview`,
      );
      expect(res.status).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'InvalidResourceNamespace',
        message: "The resource namespace 'Microsoft.Container' is invalid.",
      });
    });

    it('checks the version before authentication, and never on Entra ID or the control API', async () => {
      const anonymous = await rawRequest(
        emulator,
        'GET',
        `/subscriptions?api-version=1999-01-01`,
      );
      expect(anonymous.status).toBe(400);
      expect(anonymous.json().error.code).toBe('InvalidApiVersionParameter');
      expect(
        (
          await rawRequest(
            emulator,
            'GET',
            `/${DEMO_TENANT.id}/v2.0/.well-known/openid-configuration`,
          )
        ).status,
      ).toBe(200);
      expect(
        (await rawRequest(emulator, 'GET', '/_emulator/health')).status,
      ).toBe(200);
    });
  });

  describe('read throttling', () => {
    // https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling: a token
    // bucket per subscription, principal and operation type (reads: 250, refilling 25 per second), the remaining
    // reads in x-ms-ratelimit-remaining-subscription-reads, and 429 with Retry-After when the bucket is empty.
    it('gives each principal 250 reads per subscription, refilling 25 per second', () => {
      let now = 0;
      const throttle = new TokenBucketThrottle({}, () => now);
      const key = `${DEMO_TENANT.id}|principal|${PLATFORM_SUB}`;
      const burst = Array.from({ length: 250 }, () =>
        throttle.take('reads', key),
      );
      expect(burst.every(decision => decision.allowed)).toBe(true);
      expect(burst[0].remaining).toBe(249);
      expect(throttle.take('reads', key)).toEqual({
        allowed: false,
        remaining: 0,
        retryAfterSeconds: 1,
      });
      // Another principal, or another subscription, has a bucket of its own.
      expect(throttle.take('reads', `${key}-other`).allowed).toBe(true);
      now += 1_000;
      const refilled = Array.from({ length: 26 }, () =>
        throttle.take('reads', key),
      );
      expect(refilled.filter(decision => decision.allowed)).toHaveLength(25);
    });

    it('answers an empty bucket with 429 SubscriptionRequestsThrottled and Retry-After, and counts writes and deletes apart', async () => {
      const resourceId = (await firstResource()).id!;
      const bearer = { authorization: `Bearer ${await token()}` };
      const path = `/subscriptions/${PLATFORM_SUB}/resourcegroups?api-version=2025-04-01`;
      // A small bucket that does not refill while the test runs, so that the machine's speed does not matter.
      emulator.control.configureThrottling({
        reads: { capacity: 3, refillPerSecond: 0.01 },
      });
      const answers = [];
      for (let i = 0; i < 4; i++) {
        answers.push(
          await rawRequest(emulator, 'GET', path, { headers: bearer }),
        );
      }
      expect(
        answers.map(
          a => a.headers['x-ms-ratelimit-remaining-subscription-reads'],
        ),
      ).toEqual(['2', '1', '0', '0']);
      const throttled = answers[3];
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(
        1,
      );
      expect(throttled.json().error).toMatchObject({
        code: 'SubscriptionRequestsThrottled',
        message: expect.stringMatching(
          new RegExp(
            `^Number of 'read' requests for subscription '${PLATFORM_SUB}' actor '[0-9a-f-]+' exceeded\\. Please try again after '\\d+' seconds after additional tokens are available\\.`,
            'i',
          ),
        ),
      });

      // Writes and deletes have buckets of their own (200 each, refilling 10 per second).
      const tags = `${resourceId}/providers/Microsoft.Resources/tags/default?api-version=2025-04-01`;
      const tagWrite = await rawRequest(emulator, 'PATCH', tags, {
        headers: bearer,
        body: { operation: 'Merge', properties: { tags: { a: '1' } } },
      });
      expect(tagWrite.status).toBe(200);
      expect(
        tagWrite.headers['x-ms-ratelimit-remaining-subscription-writes'],
      ).toBe('199');
      const tagDelete = await rawRequest(emulator, 'DELETE', tags, {
        headers: bearer,
      });
      expect(tagDelete.status).toBe(200);
      expect(
        tagDelete.headers['x-ms-ratelimit-remaining-subscription-deletes'],
      ).toBe('199');
    });

    it("has ARM's limits by default", () => {
      expect(DEFAULT_THROTTLING).toMatchObject({
        reads: { capacity: 250, refillPerSecond: 25 },
        writes: { capacity: 200, refillPerSecond: 10 },
        deletes: { capacity: 200, refillPerSecond: 10 },
      });
    });
  });

  describe('tag writes answered 202 (a fault)', () => {
    // The Tags API's PATCH and PUT at a scope are long-running: the spec example
    // specification/resources/resource-manager/Microsoft.Resources/resources/stable/2025-04-01/examples/PatchTagsResource.json
    // answers 202 with a Location (…/subscriptions/{s}/operationresults/{id}?api-version=2018-08-01), and the SDK
    // polls it until the operation is done.
    it('accepts the write, answers InProgress, then Succeeded, and applies the tags only then', async () => {
      const resource = await firstResource();
      emulator.control.injectFault({
        match: { method: 'PATCH', pathPattern: TAGS_PATH },
        asyncOperation: { inProgressPolls: 1 },
        retryAfterSeconds: 0,
      });
      const bearer = { authorization: `Bearer ${await token()}` };
      const accepted = await rawRequest(
        emulator,
        'PATCH',
        `${resource.id}/providers/Microsoft.Resources/tags/default?api-version=2025-04-01`,
        {
          headers: bearer,
          body: { operation: 'Merge', properties: { tags: { later: 'yes' } } },
        },
      );
      expect(accepted.status).toBe(202);
      const status = String(accepted.headers['azure-asyncoperation']);
      const location = String(accepted.headers.location);
      expect(location).toMatch(
        new RegExp(
          `/subscriptions/${PLATFORM_SUB}/operationresults/[0-9a-f-]+\\?api-version=2018-08-01$`,
        ),
      );
      expect(emulator.control.getTags(resource.id!)).not.toHaveProperty(
        'later',
      );

      const poll = async (url: string) =>
        rawRequest(emulator, 'GET', url.slice(emulator.url.length), {
          headers: bearer,
        });
      const running = await poll(status);
      expect(running.status).toBe(200);
      expect(running.json().status).toBe('InProgress');
      expect(emulator.control.getTags(resource.id!)).not.toHaveProperty(
        'later',
      );

      const done = await poll(status);
      expect(done.json()).toMatchObject({ status: 'Succeeded' });
      expect(emulator.control.getTags(resource.id!)).toMatchObject({
        later: 'yes',
      });
      const result = await poll(location);
      expect(result.status).toBe(200);
      expect(result.json().properties.tags).toMatchObject({ later: 'yes' });
    });

    it('is followed to the end by the SDK, which returns the final tags', async () => {
      const resource = await firstResource();
      emulator.control.injectFault({
        match: { method: 'PATCH', pathPattern: TAGS_PATH },
        asyncOperation: { inProgressPolls: 2 },
        retryAfterSeconds: 0,
      });
      const result = await client().tagsOperations.updateAtScope(
        resource.id!.slice(1),
        { operation: 'Merge', properties: { tags: { viaSdk: 'done' } } },
        { updateIntervalInMs: 10 },
      );
      expect(result.properties?.tags).toMatchObject({ viaSdk: 'done' });
      const polls = emulator.control
        .requests()
        .filter(r => /operationStatuses|operationresults/i.test(r.path));
      expect(polls.length).toBeGreaterThanOrEqual(3);
    });

    it('still refuses bad input at once, with 400 and no operation', async () => {
      const resource = await firstResource();
      emulator.control.injectFault({
        match: { method: 'PATCH', pathPattern: TAGS_PATH },
        asyncOperation: {},
      });
      const res = await rawRequest(
        emulator,
        'PATCH',
        `${resource.id}/providers/Microsoft.Resources/tags/default?api-version=2025-04-01`,
        {
          headers: { authorization: `Bearer ${await token()}` },
          body: { properties: { tags: { a: '1' } } },
        },
      );
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
    });
  });
});
