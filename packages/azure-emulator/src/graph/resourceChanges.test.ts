import {
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
} from '../model/demoIdentities';
import { AzureEmulator } from '../startAzureEmulator';
import {
  RawResponse,
  appCredential,
  rawRequest,
  startTestEmulator,
} from '../__testUtils__/emulatorTestKit';

const PLATFORM_SUB = DEMO_SUBSCRIPTIONS.platform;
const PAYMENTS_SUB = DEMO_SUBSCRIPTIONS.payments;
const DATA_SUB = DEMO_SUBSCRIPTIONS.dataEurope;
const DAY_MS = 86_400_000;
const GRAPH =
  '/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01';

/** The change feed contract's query 1, as the backend writes it. */
function resourceChangesQuery(since: Date): string {
  return [
    'resourcechanges',
    '| extend changeTime = todatetime(properties.changeAttributes.timestamp), targetResourceId = tolower(tostring(properties.targetResourceId)), changeType = tostring(properties.changeType)',
    `| where changeTime > datetime(${since.toISOString()})`,
    '| project changeId = id, changeTime, changeType, targetResourceId, subscriptionId',
    '| join kind=leftouter (resources | project targetResourceId = tolower(id), resourceId = id, name, type, location, kind, tags) on targetResourceId',
    '| order by changeTime asc, changeId asc',
  ].join('\n');
}

/** The contract's query 2, on one line with other spacing: whitespace does not matter to KQL. */
function containerChangesQuery(since: Date): string {
  return `resourcecontainerchanges | extend changeTime=todatetime(properties.changeAttributes.timestamp),  targetResourceId = tostring(properties.targetResourceId), changeType = tostring(properties.changeType) | where changeTime > datetime( ${since.toISOString()} ) | project changeId = id, changeTime, changeType, targetResourceId, subscriptionId | order by changeTime asc, changeId asc`;
}

describe('Resource Graph change tables', () => {
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
    for (const subscriptionId of [PLATFORM_SUB, PAYMENTS_SUB]) {
      emulator.control.assignRole({
        scope: `/subscriptions/${subscriptionId}`,
        principalId: spObjectId,
        role: 'Contributor',
      });
    }
  });

  // A new credential each time: its token must be issued by the emulator's clock, which some tests move.
  const token = async () =>
    (await appCredential(emulator).getToken(
      'https://management.azure.com/.default',
    ))!.token;

  async function query(
    text: string,
    options: Record<string, unknown> = {},
    subscriptions = [PLATFORM_SUB, PAYMENTS_SUB, DATA_SUB],
  ): Promise<RawResponse> {
    return rawRequest(emulator, 'POST', GRAPH, {
      headers: { authorization: `Bearer ${await token()}` },
      body: {
        subscriptions,
        query: text,
        options: { resultFormat: 'objectArray', ...options },
      },
    });
  }

  async function allRows(text: string, top = 1000): Promise<any[]> {
    const rows: any[] = [];
    let skipToken: string | undefined;
    do {
      const res = await query(text, { $top: top, $skipToken: skipToken });
      expect(res.status).toBe(200);
      rows.push(...res.json().data);
      skipToken = res.json().$skipToken;
    } while (skipToken);
    return rows;
  }

  /** The emulator's time, from its `Date` header (whole seconds), as a change feed reader takes it. */
  async function azureNow(): Promise<Date> {
    const res = await rawRequest(emulator, 'GET', '/');
    return new Date(Date.parse(String(res.headers.date)));
  }

  function addResource(name: string, extra: Record<string, unknown> = {}) {
    return emulator.control.addResource({
      subscriptionId: PLATFORM_SUB,
      resourceGroup: 'rg-changes',
      type: 'Microsoft.Storage/storageAccounts',
      name,
      location: 'westeurope',
      tags: { env: 'dev' },
      ...extra,
    });
  }

  describe('resourcechanges', () => {
    it('shows a create, a tag edit and a delete, each joined with the resource as it is now', async () => {
      const since = new Date((await azureNow()).getTime() - 60_000);
      const kept = addResource('stkept');
      const gone = addResource('stgone');
      const patch = await rawRequest(
        emulator,
        'PATCH',
        `${kept.id}/providers/Microsoft.Resources/tags/default?api-version=2021-04-01`,
        {
          headers: { authorization: `Bearer ${await token()}` },
          body: { operation: 'Merge', properties: { tags: { env: 'prod' } } },
        },
      );
      expect(patch.status).toBe(200);
      const deleted = await rawRequest(
        emulator,
        'DELETE',
        `${gone.id}?api-version=2023-05-01`,
        { headers: { authorization: `Bearer ${await token()}` } },
      );
      expect(deleted.status).toBe(200);

      const res = await query(resourceChangesQuery(since));
      expect(res.status).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        totalRecords: 4,
        count: 4,
        facets: [],
        resultTruncated: 'false',
      });
      expect(body.$skipToken).toBeUndefined();
      const rows: any[] = body.data;
      // In Resource Graph's order: by time, then change id (which starts with the target's id).
      const order = rows.map(r => `${r.changeTime}|${r.changeId}`);
      expect([...order].sort()).toEqual(order);
      const find = (changeType: string, id: string) =>
        rows.find(
          r =>
            r.changeType === changeType &&
            r.targetResourceId === id.toLowerCase(),
        );
      const keptCreate = find('Create', kept.id);
      const keptUpdate = find('Update', kept.id);
      const goneCreate = find('Create', gone.id);
      const goneDelete = find('Delete', gone.id);
      expect(rows.indexOf(keptCreate)).toBeLessThan(rows.indexOf(keptUpdate));
      expect(rows.indexOf(goneCreate)).toBeLessThan(rows.indexOf(goneDelete));
      // The join gives the current state: the create of `stkept` already shows the edited tag.
      expect(keptCreate).toMatchObject({
        subscriptionId: PLATFORM_SUB,
        targetResourceId1: kept.id.toLowerCase(),
        resourceId: kept.id,
        name: 'stkept',
        type: 'microsoft.storage/storageaccounts',
        location: 'westeurope',
        kind: '',
        tags: { env: 'prod' },
      });
      // A deleted resource has no right side: '' for strings, null for tags (KQL strings have no null).
      for (const row of [goneCreate, goneDelete]) {
        expect(row).toMatchObject({
          targetResourceId1: '',
          resourceId: '',
          name: '',
          type: '',
          tags: null,
        });
      }
      // A change's time is the resource's changedTime in the same write (createdTime for a Create).
      expect(keptCreate.changeTime).toBe(kept.createdTime);
      const listed = await rawRequest(
        emulator,
        'GET',
        `/subscriptions/${PLATFORM_SUB}/resources?api-version=2021-04-01&$expand=changedTime&$filter=${encodeURIComponent(
          "name eq 'stkept'",
        )}`,
        { headers: { authorization: `Bearer ${await token()}` } },
      );
      expect(listed.json().value[0].changedTime).toBe(keptUpdate.changeTime);
    });

    it('pages over more than 1,000 changes with $skipToken, each change once and in order', async () => {
      const since = new Date((await azureNow()).getTime() - 60_000);
      const names: string[] = [];
      for (let i = 0; i < 1201; i++) {
        const name = `stpage${String(i).padStart(4, '0')}`;
        addResource(name);
        names.push(name);
      }
      const first = await query(resourceChangesQuery(since), { $top: 1000 });
      expect(first.json()).toMatchObject({ totalRecords: 1201, count: 1000 });
      expect(first.json().$skipToken).toEqual(expect.any(String));
      const rows = await allRows(resourceChangesQuery(since), 500);
      expect(rows.map(r => r.name)).toEqual(names);
      expect(new Set(rows.map(r => r.changeId)).size).toBe(1201);
      const order = rows.map(r => `${r.changeTime}|${r.changeId}`);
      expect([...order].sort()).toEqual(order);
    });

    it('does not return changes older than 14 days by the emulator clock', async () => {
      const start = await azureNow();
      addResource('stold');
      emulator.control.advanceClock(14 * DAY_MS + 60_000);
      addResource('stnew');
      const rows = await allRows(
        resourceChangesQuery(new Date(start.getTime() - DAY_MS)),
      );
      expect(rows.map(r => r.name)).toEqual(['stnew']);
    });

    it('leaves out the changes of a subscription the caller cannot read', async () => {
      const since = new Date((await azureNow()).getTime() - 60_000);
      emulator.control.addResource({
        subscriptionId: DATA_SUB,
        resourceGroup: 'rg-data',
        type: 'Microsoft.Storage/storageAccounts',
        name: 'stsecret',
      });
      addResource('stvisible');
      const rows = await allRows(resourceChangesQuery(since));
      expect(rows.map(r => r.name)).toEqual(['stvisible']);
      const alone = await query(resourceChangesQuery(since), {}, [DATA_SUB]);
      expect(alone.json()).toMatchObject({ totalRecords: 0, data: [] });
    });

    it('refuses any other query on the change tables with 400 InvalidQuery', async () => {
      for (const text of [
        'resourcechanges | take 5',
        resourceChangesQuery(new Date()).replace('asc, changeId asc', 'desc'),
        resourceChangesQuery(new Date()).replace(
          /datetime\([^)]*\)/,
          'datetime(yesterday)',
        ),
      ]) {
        const res = await query(text);
        expect(res.status).toBe(400);
        expect(res.json().error).toMatchObject({
          code: 'BadRequest',
          details: [{ code: 'InvalidQuery' }],
        });
      }
    });

    it('leaves no record of a write or delete the control API makes with omitFromChangeFeed', async () => {
      const since = new Date((await azureNow()).getTime() - 60_000);
      const created = await rawRequest(
        emulator,
        'POST',
        '/_emulator/resources',
        {
          body: {
            subscriptionId: PLATFORM_SUB,
            resourceGroup: 'rg-missed',
            type: 'Microsoft.Storage/storageAccounts',
            name: 'stmissed',
            omitFromChangeFeed: true,
          },
        },
      );
      expect(created.status).toBe(201);
      const base = await rawRequest(
        emulator,
        'GET',
        `/subscriptions/${PLATFORM_SUB}/resources?api-version=2021-04-01`,
        { headers: { authorization: `Bearer ${await token()}` } },
      );
      const existing = base.json().value[0].id;
      const removed = await rawRequest(
        emulator,
        'DELETE',
        `/_emulator/resources?id=${encodeURIComponent(
          existing,
        )}&omitFromChangeFeed=true`,
      );
      expect(removed.status).toBe(204);

      expect(await allRows(resourceChangesQuery(since))).toEqual([]);
      expect(await allRows(containerChangesQuery(since))).toEqual([]);
      // A full listing still tells: the new resource is there, the deleted one is not.
      const listed = await rawRequest(
        emulator,
        'GET',
        `/subscriptions/${PLATFORM_SUB}/resources?api-version=2021-04-01`,
        { headers: { authorization: `Bearer ${await token()}` } },
      );
      const ids = listed.json().value.map((r: any) => r.id);
      expect(ids).toContain(created.json().id);
      expect(ids).not.toContain(existing);
    });

    it('forgets every change on reset', async () => {
      const since = new Date((await azureNow()).getTime() - 60_000);
      addResource('stbefore');
      emulator.control.reset();
      emulator.control.assignRole({
        scope: `/subscriptions/${PLATFORM_SUB}`,
        principalId: emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId)
          .objectId,
        role: 'Reader',
      });
      expect(await allRows(resourceChangesQuery(since))).toEqual([]);
    });
  });

  describe('resourcecontainerchanges', () => {
    it('shows a resource group created and deleted, and a subscription retagged', async () => {
      const since = new Date((await azureNow()).getTime() - 60_000);
      addResource('stingroup');
      const tagged = await rawRequest(
        emulator,
        'PATCH',
        `/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Resources/tags/default?api-version=2021-04-01`,
        {
          headers: { authorization: `Bearer ${await token()}` },
          body: {
            operation: 'Merge',
            properties: { tags: { costCenter: 'cc-42' } },
          },
        },
      );
      expect(tagged.status).toBe(200);
      const removed = await rawRequest(
        emulator,
        'DELETE',
        `/_emulator/resource-groups?subscriptionId=${PLATFORM_SUB}&name=rg-changes`,
      );
      expect(removed.json()).toEqual({ deletedResources: 1 });

      const rows = await allRows(containerChangesQuery(since));
      expect(rows.map(r => [r.changeType, r.targetResourceId])).toEqual([
        ['Create', `/subscriptions/${PLATFORM_SUB}/resourceGroups/rg-changes`],
        ['Update', `/subscriptions/${PLATFORM_SUB}`],
        ['Delete', `/subscriptions/${PLATFORM_SUB}/resourceGroups/rg-changes`],
      ]);
      expect(rows[1]).toEqual({
        changeId: expect.stringMatching(
          new RegExp(
            `^/subscriptions/${PLATFORM_SUB}/providers/Microsoft.Resources/changes/`,
          ),
        ),
        changeTime: expect.any(String),
        changeType: 'Update',
        targetResourceId: `/subscriptions/${PLATFORM_SUB}`,
        subscriptionId: PLATFORM_SUB,
      });
      // The group's resource went with it: a Delete in resourcechanges.
      const resourceRows = await allRows(resourceChangesQuery(since));
      expect(resourceRows.map(r => r.changeType)).toEqual(['Create', 'Delete']);
    });

    it('shows a subscription renamed or disabled', async () => {
      const since = new Date((await azureNow()).getTime() - 60_000);
      emulator.control.renameSubscription(PAYMENTS_SUB, 'Contoso Payments EU');
      emulator.control.setSubscriptionState(PAYMENTS_SUB, 'Warned');
      const rows = await allRows(containerChangesQuery(since));
      expect(rows.map(r => [r.changeType, r.targetResourceId])).toEqual([
        ['Update', `/subscriptions/${PAYMENTS_SUB}`],
        ['Update', `/subscriptions/${PAYMENTS_SUB}`],
      ]);
    });
  });

  describe('time and throttling', () => {
    it('dates every answer by the emulator clock', async () => {
      const before = await azureNow();
      expect(Math.abs(before.getTime() - Date.now())).toBeLessThan(120_000);
      emulator.control.advanceClock(3 * DAY_MS);
      const res = await query(resourceChangesQuery(new Date()));
      expect(res.status).toBe(200);
      const answered = Date.parse(String(res.headers.date));
      expect(answered - before.getTime()).toBeGreaterThanOrEqual(
        3 * DAY_MS - 1000,
      );
      expect(answered - before.getTime()).toBeLessThan(3 * DAY_MS + 120_000);
      const control = await rawRequest(emulator, 'GET', '/_emulator/health');
      expect(Date.parse(String(control.headers.date))).toBeGreaterThanOrEqual(
        answered - 1000,
      );
    });

    it("counts each user's queries against Resource Graph's quota, and answers 429 when it is spent", async () => {
      emulator.control.configureThrottling({
        resourceGraph: { queries: 2, windowSeconds: 30 },
      });
      const text = containerChangesQuery(new Date());
      const first = await query(text);
      expect(first.headers['x-ms-user-quota-remaining']).toBe('1');
      expect(first.headers['x-ms-user-quota-resets-after']).toMatch(
        /^00:00:(2\d|30)$/,
      );
      expect((await query(text)).headers['x-ms-user-quota-remaining']).toBe(
        '0',
      );
      const throttled = await query(text);
      expect(throttled.status).toBe(429);
      expect(throttled.json().error).toMatchObject({
        code: 'RateLimiting',
        details: [{ code: 'RateLimiting' }],
      });
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(
        1,
      );
      expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(30);
      expect(throttled.headers['x-ms-user-quota-remaining']).toBe('0');
      // The window is the emulator's: once it has passed, the quota is whole again.
      emulator.control.advanceClock(30_000);
      const after = await query(text);
      expect(after.status).toBe(200);
      expect(after.headers['x-ms-user-quota-remaining']).toBe('1');
    });

    it('never throttles Resource Graph when throttling is off', async () => {
      emulator.control.configureThrottling({
        enabled: false,
        resourceGraph: { queries: 1, windowSeconds: 30 },
      });
      const text = containerChangesQuery(new Date());
      for (let i = 0; i < 3; i++) {
        const res = await query(text);
        expect(res.status).toBe(200);
        expect(res.headers['x-ms-user-quota-remaining']).toBe('1');
      }
    });
  });
});
