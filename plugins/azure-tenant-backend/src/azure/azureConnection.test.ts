import { ResourceManagementClient } from '@azure/arm-resources';
import { createPipelineRequest } from '@azure/core-rest-pipeline';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
} from '@azure-tenant/azure-emulator';
import { emulatorConnection } from './__testUtils__/emulatorConnection';
import {
  ARM_APP_SCOPE,
  DEFAULT_REQUEST_TIMEOUT_MS,
  withRequestTimeout,
} from './azureConnection';
import { startTestEmulator } from '../__testUtils__/testEmulator';

jest.setTimeout(60_000);

const PLATFORM = DEMO_SUBSCRIPTIONS.platform;
let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(() => {
  emulator.control.reset();
  const principal = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
  emulator.control.assignRole({
    scope: `/subscriptions/${PLATFORM}`,
    principalId: principal.objectId,
    role: 'Reader',
  });
});

function connection(requestTimeoutMs?: number) {
  return emulatorConnection(
    emulator,
    requestTimeoutMs === undefined ? {} : { requestTimeoutMs },
  );
}

const groupCalls = () =>
  emulator.control
    .requests()
    .filter(r => /\/resourcegroups$/i.test(r.path) && r.method === 'GET');

describe('the per-try timeout of requests to Azure', () => {
  it('defaults to a minute, where the SDKs have none', () => {
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(60_000);
    expect(connection().requestTimeoutMs).toBe(60_000);
  });

  it('abandons a stalled try, which the SDK retries a bounded number of times, then fails with ETIMEDOUT', async () => {
    const azure = connection(300);
    // Tries are counted where the SDK sends them: on a loaded machine a try can be abandoned before the emulator
    // has read it, so the emulator's own count may be lower.
    let tries = 0;
    const client = new ResourceManagementClient(
      azure.appCredential(DEMO_TENANT.id),
      PLATFORM,
      {
        ...azure.armClientOptions(),
        additionalPolicies: [
          {
            position: 'perRetry',
            policy: {
              name: 'countTries',
              sendRequest: (request, next) => {
                if (/\/resourcegroups\?/i.test(request.url)) tries++;
                return next(request);
              },
            },
          },
        ],
      },
    );
    // Warm the token cache, so that only the listing stalls.
    for await (const _ of client.resourceGroups.list()) break;
    tries = 0;
    emulator.control.clearRequests();
    const stall = emulator.control.injectFault({
      match: { method: 'GET', pathPattern: '/resourcegroups$' },
      delayMs: 1500,
      times: 0,
    });
    const started = Date.now();
    const error = await (async () => {
      try {
        for await (const _ of client.resourceGroups.list()) break;
        return undefined;
      } catch (e) {
        return e as any;
      }
    })();
    const arrived =
      emulator.control.listFaults().find(fault => fault.id === stall.id)
        ?.hits ?? 0;
    emulator.control.clearFaults();
    expect(error?.code).toBe('ETIMEDOUT');
    expect(error?.message).toMatch(
      new RegExp(
        `^Azure did not answer GET /subscriptions/${PLATFORM}/resourcegroups within 300 ms$`,
      ),
    );
    // Four tries (the SDK's three retries), each abandoned after 300 ms, not after the 1.5 s stall.
    expect(tries).toBe(4);
    // The emulator logs a stalled try when it answers it: wait for those that arrived, so that none is logged in
    // the next test.
    expect(arrived).toBeGreaterThan(0);
    expect(arrived).toBeLessThanOrEqual(4);
    for (let waited = 0; groupCalls().length < arrived && waited < 10_000; ) {
      await new Promise(resolve => setTimeout(resolve, 100));
      waited += 100;
    }
    expect(groupCalls()).toHaveLength(arrived);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('a stall once is retried and the call succeeds', async () => {
    const azure = connection(300);
    const client = new ResourceManagementClient(
      azure.appCredential(DEMO_TENANT.id),
      PLATFORM,
      azure.armClientOptions(),
    );
    emulator.control.injectFault({
      match: { method: 'GET', pathPattern: '/resourcegroups$' },
      delayMs: 1500,
      times: 1,
    });
    const names: string[] = [];
    for await (const group of client.resourceGroups.list()) {
      names.push(group.name!);
    }
    expect(names.length).toBeGreaterThan(0);
    for (let waited = 0; groupCalls().length < 2 && waited < 10_000; ) {
      await new Promise(resolve => setTimeout(resolve, 100));
      waited += 100;
    }
    // One stalled try and one that worked. The emulator logs a try when it answers it; the stalled one usually comes
    // after the retry, but on a busy machine the retry may wait longer than the stall, so the order is not asserted.
    expect(
      groupCalls()
        .map(r => r.faultId !== null)
        .sort(),
    ).toEqual([false, true]);
  });

  it("keeps the caller's own abort an abort", async () => {
    const controller = new AbortController();
    const client = withRequestTimeout(
      {
        sendRequest: request =>
          new Promise((_resolve, reject) =>
            request.abortSignal?.addEventListener('abort', () => {
              const error = new Error('The operation was aborted.');
              error.name = 'AbortError';
              reject(error);
            }),
          ),
      },
      10_000,
    );
    const request = createPipelineRequest({
      url: 'https://127.0.0.1:1/x',
      abortSignal: controller.signal,
    });
    const pending = client.sendRequest(request);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(request.timeout).toBe(10_000);
  });
});

describe("the portal's app credential in a tenant", () => {
  it('asks Entra ID again after a failed token request, and recovers once Entra ID answers', async () => {
    const azure = connection();
    const credential = azure.appCredential(DEMO_TENANT.id);
    expect(azure.appCredential(DEMO_TENANT.id)).toBe(credential);
    const tokenRequests = () =>
      emulator.control
        .requests()
        .filter(r => r.path === `/${DEMO_TENANT.id}/oauth2/v2.0/token`);
    emulator.control.injectFault({
      match: { method: 'POST', pathPattern: '/oauth2/v2\\.0/token$' },
      status: 500,
      times: 0,
    });
    await expect(credential.getToken(ARM_APP_SCOPE)).rejects.toThrow();
    const failedTries = tokenRequests().length;
    expect(failedTries).toBeGreaterThanOrEqual(1);
    expect(failedTries).toBeLessThanOrEqual(4);
    emulator.control.clearFaults();

    const token = await credential.getToken(ARM_APP_SCOPE);
    expect(token?.token).toBeTruthy();
    expect(tokenRequests()).toHaveLength(failedTries + 1);
    // And the token is cached again.
    await credential.getToken(ARM_APP_SCOPE);
    expect(tokenRequests()).toHaveLength(failedTries + 1);
  });
});
