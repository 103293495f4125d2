import { mockApis } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { AzureTenantClient } from './AzureTenantClient';
import { TagConflictError, TagValidationError } from './tagErrors';

const baseUrl = 'http://example.com/api/azure-tenant';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function createClient(response: Response) {
  const fetch = jest.fn().mockResolvedValue(response);
  const client = new AzureTenantClient({
    discoveryApi: mockApis.discovery(),
    fetchApi: { fetch },
  });
  return { client, fetch };
}

function sentBody(fetch: jest.Mock): unknown {
  return JSON.parse(fetch.mock.calls[0][1].body);
}

describe('AzureTenantClient', () => {
  it('starts an onboarding with its kind', async () => {
    const answer = {
      onboardingId: 'ob-1',
      authorizeUrl: 'https://login.example/authorize',
      expiresAt: '2025-01-01T00:10:00Z',
    };
    const { client, fetch } = createClient(jsonResponse(200, answer));

    await expect(client.startOnboarding('add-subscriptions')).resolves.toEqual(
      answer,
    );
    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/onboarding/start`,
      expect.objectContaining({ method: 'POST' }),
    );
    expect(fetch.mock.calls[0][1].headers).toEqual({
      'Content-Type': 'application/json',
    });
    expect(sentBody(fetch)).toEqual({ kind: 'add-subscriptions' });
  });

  it('names the tenant to reconnect', async () => {
    const { client, fetch } = createClient(
      jsonResponse(200, {
        onboardingId: 'ob-2',
        authorizeUrl: 'https://login.example/authorize',
        expiresAt: '2025-01-01T00:10:00Z',
      }),
    );

    await client.startOnboarding('connect', { tenantId: 'tenant-1' });

    expect(sentBody(fetch)).toEqual({ kind: 'connect', tenantId: 'tenant-1' });
  });

  it('reads an onboarding by id, escaping the id', async () => {
    const { client, fetch } = createClient(
      jsonResponse(200, { id: 'a/b', status: 'running', results: [] }),
    );

    await expect(client.getOnboarding('a/b')).resolves.toMatchObject({
      status: 'running',
    });
    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/onboardings/a%2Fb`,
      expect.objectContaining({ method: 'GET' }),
    );
  });

  it('lists tenants and subscriptions from their items', async () => {
    const tenants = createClient(
      jsonResponse(200, { items: [{ tenantId: 't1' }] }),
    );
    await expect(tenants.client.listTenants()).resolves.toEqual([
      { tenantId: 't1' },
    ]);
    expect(tenants.fetch.mock.calls[0][0]).toBe(`${baseUrl}/tenants`);

    const subscriptions = createClient(
      jsonResponse(200, { items: [{ subscriptionId: 's1' }] }),
    );
    await expect(subscriptions.client.listSubscriptions()).resolves.toEqual([
      { subscriptionId: 's1' },
    ]);
    expect(subscriptions.fetch.mock.calls[0][0]).toBe(
      `${baseUrl}/subscriptions`,
    );
  });

  it('puts the sync mode of a subscription', async () => {
    const { client, fetch } = createClient(
      jsonResponse(200, { subscriptionId: 's1', syncMode: 'no-tags' }),
    );

    await expect(client.setSyncMode('s1', 'no-tags')).resolves.toMatchObject({
      syncMode: 'no-tags',
    });
    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/subscriptions/s1/sync-mode`,
      expect.objectContaining({ method: 'PUT' }),
    );
    expect(sentBody(fetch)).toEqual({ syncMode: 'no-tags' });
  });

  it('requests a sync of a subscription', async () => {
    const answer = {
      subscriptionId: 's1',
      syncRequestedAt: '2025-01-01T00:00:00Z',
    };
    const { client, fetch } = createClient(jsonResponse(202, answer));

    await expect(client.requestSync('s1')).resolves.toEqual(answer);
    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/subscriptions/s1/sync`,
      expect.objectContaining({ method: 'POST' }),
    );
    expect(fetch.mock.calls[0][1].body).toBeUndefined();
  });

  it.each([
    [403, 'NotAllowedError', 'You may not connect Azure tenants'],
    [500, 'Error', 'Database is down'],
  ])(
    'throws a ResponseError carrying the backend error on %i',
    async (statusCode, name, message) => {
      const { client } = createClient(
        jsonResponse(statusCode, {
          error: { name, message },
          request: { method: 'POST', url: '/onboarding/start' },
          response: { statusCode },
        }),
      );

      const error = await client.startOnboarding('connect').catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(statusCode);
      expect(error.cause.name).toBe(name);
      expect(error.cause.message).toBe(message);
    },
  );
  describe('spend', () => {
    const report = {
      query: {
        subscriptionId: 'sub-1',
        from: '2025-01-01',
        to: '2025-01-31',
        granularity: 'day',
        groupBy: 'service',
        top: 5,
      },
      status: 'ok',
      series: [],
      notes: [],
    };

    it('reads the spend of a subscription with every query field in the URL', async () => {
      const { client, fetch } = createClient(jsonResponse(200, report));

      await expect(
        client.getSpend({
          subscriptionId: 'sub-1',
          from: '2025-01-01',
          to: '2025-01-31',
          granularity: 'day',
          groupBy: 'tag:cost-center',
          top: 5,
        }),
      ).resolves.toEqual(report);

      const url = new URL(fetch.mock.calls[0][0]);
      expect(`${url.origin}${url.pathname}`).toBe(`${baseUrl}/spend`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        subscriptionId: 'sub-1',
        from: '2025-01-01',
        to: '2025-01-31',
        granularity: 'day',
        groupBy: 'tag:cost-center',
        top: '5',
      });
      expect(fetch.mock.calls[0][1]).toEqual(
        expect.objectContaining({ method: 'GET' }),
      );
    });

    it('escapes a resource id and an entity ref, and leaves out unset fields', async () => {
      const resource = createClient(jsonResponse(200, report));
      const resourceId =
        '/subscriptions/sub-1/resourceGroups/rg 1/providers/Microsoft.Compute/virtualMachines/vm-1';
      await resource.client.getSpend({
        resourceId,
        from: '2025-01-01',
        to: '2025-01-31',
      });
      const resourceUrl: string = resource.fetch.mock.calls[0][0];
      expect(resourceUrl).not.toContain(' ');
      expect(new URL(resourceUrl).searchParams.get('resourceId')).toBe(
        resourceId,
      );
      expect([...new URL(resourceUrl).searchParams.keys()]).toEqual([
        'resourceId',
        'from',
        'to',
      ]);

      const group = createClient(jsonResponse(200, report));
      await group.client.getSpend({
        entityRef: 'group:default/team-a',
        from: '2025-01-01',
        to: '2025-01-31',
      });
      expect(
        new URL(group.fetch.mock.calls[0][0]).searchParams.get('entityRef'),
      ).toBe('group:default/team-a');
    });

    it('downloads the CSV of the same query as a blob', async () => {
      const { client, fetch } = createClient(
        new Response('date,service,amount\n', {
          status: 200,
          headers: { 'Content-Type': 'text/csv' },
        }),
      );

      const blob = await client.downloadSpendCsv({
        subscriptionId: 'sub-1',
        from: '2025-01-01',
        to: '2025-01-31',
        groupBy: 'location',
      });

      expect(await blob.text()).toBe('date,service,amount\n');
      const url = new URL(fetch.mock.calls[0][0]);
      expect(`${url.origin}${url.pathname}`).toBe(`${baseUrl}/spend.csv`);
      expect(url.searchParams.get('groupBy')).toBe('location');
    });

    it('throws a ResponseError when spend may not be read', async () => {
      const forbidden = () =>
        jsonResponse(403, {
          error: { name: 'NotAllowedError', message: 'No' },
          response: { statusCode: 403 },
        });
      const query = {
        subscriptionId: 'sub-1',
        from: '2025-01-01',
        to: '2025-01-31',
      };

      const json = await createClient(forbidden())
        .client.getSpend(query)
        .catch(e => e);
      expect(json).toBeInstanceOf(ResponseError);
      expect(json.statusCode).toBe(403);

      const csv = await createClient(forbidden())
        .client.downloadSpendCsv(query)
        .catch(e => e);
      expect(csv).toBeInstanceOf(ResponseError);
      expect(csv.statusCode).toBe(403);
    });
  });
});

describe('AzureTenantClient tags', () => {
  it('reads live tags on request', async () => {
    const { client, fetch } = createClient(
      jsonResponse(200, { canEdit: true }),
    );
    await client.getTags('/subscriptions/s/x', { live: true });
    expect(fetch.mock.calls[0][0]).toBe(
      `${baseUrl}/tags?resourceId=%2Fsubscriptions%2Fs%2Fx&live=true`,
    );
  });

  it('turns a 409 with current values into a TagConflictError', async () => {
    const { client } = createClient(
      jsonResponse(409, {
        error: { name: 'ConflictError', message: 'env changed' },
        current: { env: 'staging' },
        tags: { env: 'staging' },
      }),
    );
    const error = await client
      .updateTags({
        resourceId: 'r',
        set: { env: 'x' },
        expected: { env: 'dev' },
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(TagConflictError);
    expect(error.current).toEqual({ env: 'staging' });
    expect(error.message).toBe('env changed');
  });

  it('turns a 400 with problems into a TagValidationError, and a 409 for the mode into a ResponseError', async () => {
    const problems = [
      { tag: 'a/b', code: 'forbidden-characters', message: 'no' },
    ];
    const invalid = createClient(
      jsonResponse(400, {
        error: { name: 'InputError', message: 'bad' },
        problems,
      }),
    );
    const error = await invalid.client
      .updateTags({ resourceId: 'r', set: { 'a/b': 'x' } })
      .catch(e => e);
    expect(error).toBeInstanceOf(TagValidationError);
    expect(error.problems).toEqual(problems);

    const mode = createClient(
      jsonResponse(409, {
        error: { name: 'ConflictError', message: 'No Tags' },
        response: { statusCode: 409 },
      }),
    );
    const modeError = await mode.client
      .updateTags({ resourceId: 'r', set: { a: 'x' } })
      .catch(e => e);
    expect(modeError).toBeInstanceOf(ResponseError);
    expect(modeError.cause.message).toBe('No Tags');
  });

  it('reports each bulk result as succeeded or failed, whatever status the backend gives', async () => {
    const { client } = createClient(
      jsonResponse(200, {
        results: [
          { resourceId: 'a', status: 200, result: {} },
          {
            resourceId: 'b',
            status: 403,
            error: { name: 'NotAllowedError', message: 'no' },
          },
        ],
        succeeded: 1,
        failed: 1,
      }),
    );
    const response = await client.bulkUpdateTags({
      resourceIds: ['a', 'b'],
      remove: ['x'],
    });
    expect(response.results.map(r => r.status)).toEqual([
      'succeeded',
      'failed',
    ]);
  });
});

describe('AzureTenantClient showback and savings', () => {
  it('reads the showback of a range of months, with an owner when given', async () => {
    const report = {
      from: '2025-01',
      to: '2025-03',
      rows: [],
      totals: [],
      notes: [],
    };
    const { client, fetch } = createClient(jsonResponse(200, report));

    await expect(
      client.getShowback({
        from: '2025-01',
        to: '2025-03',
        owner: 'group:default/team-a',
      }),
    ).resolves.toEqual(report);
    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/showback?from=2025-01&to=2025-03&owner=group%3Adefault%2Fteam-a`,
      expect.objectContaining({ method: 'GET' }),
    );
  });

  it('downloads the showback CSV of the same query as a blob', async () => {
    const { client, fetch } = createClient(
      new Response('month,owner,currency,amount,resources\n', {
        status: 200,
        headers: { 'Content-Type': 'text/csv' },
      }),
    );

    const blob = await client.downloadShowbackCsv({
      from: '2025-01',
      to: '2025-03',
    });

    expect(await blob.text()).toBe('month,owner,currency,amount,resources\n');
    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/showback.csv?from=2025-01&to=2025-03`,
      expect.anything(),
    );
  });

  it('reads the savings of a resource, escaping its id, and throws a ResponseError with the reason', async () => {
    const resourceId =
      '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm';
    const ok = createClient(
      jsonResponse(200, { recommendations: [], totals: [] }),
    );

    await ok.client.getSavings({ resourceId });

    expect(ok.fetch).toHaveBeenCalledWith(
      `${baseUrl}/savings?resourceId=${encodeURIComponent(resourceId)}`,
      expect.anything(),
    );

    const refused = createClient(
      jsonResponse(403, {
        error: { name: 'NotAllowedError', message: 'No savings for you' },
        response: { statusCode: 403 },
      }),
    );
    const error = await refused.client
      .getSavings({ entityRef: 'group:default/team-a' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.cause.message).toBe('No savings for you');
  });
});

describe('AzureTenantClient budgets', () => {
  it('lists budgets with the filters given, and every budget without', async () => {
    const filtered = createClient(jsonResponse(200, { items: [] }));
    await expect(
      filtered.client.listBudgets({
        owner: 'group:default/team-a',
        scopeKind: 'entity',
      }),
    ).resolves.toEqual([]);
    expect(filtered.fetch.mock.calls[0][0]).toBe(
      `${baseUrl}/budgets?owner=group%3Adefault%2Fteam-a&scopeKind=entity`,
    );

    const all = createClient(jsonResponse(200, { items: [] }));
    await all.client.listBudgets();
    expect(all.fetch.mock.calls[0][0]).toBe(`${baseUrl}/budgets?`);
  });

  it('creates, replaces and mutes a budget with JSON bodies, escaping its id', async () => {
    const input = {
      name: 'Shop',
      scope: { kind: 'entity' as const, entityRef: 'system:default/shop' },
      amount: 10,
      currency: 'USD',
      period: { type: 'monthly' as const },
    };
    const created = createClient(jsonResponse(201, { budget: { id: 'b/1' } }));
    await created.client.createBudget(input);
    expect(created.fetch).toHaveBeenCalledWith(
      `${baseUrl}/budgets`,
      expect.objectContaining({ method: 'POST' }),
    );
    expect(sentBody(created.fetch)).toEqual(input);

    const replaced = createClient(jsonResponse(200, {}));
    await replaced.client.updateBudget('b/1', input);
    expect(replaced.fetch).toHaveBeenCalledWith(
      `${baseUrl}/budgets/b%2F1`,
      expect.objectContaining({ method: 'PUT' }),
    );

    const muted = createClient(jsonResponse(200, {}));
    await muted.client.muteBudget('b-1', null);
    expect(muted.fetch).toHaveBeenCalledWith(
      `${baseUrl}/budgets/b-1/mute`,
      expect.objectContaining({ method: 'POST' }),
    );
    expect(sentBody(muted.fetch)).toEqual({ until: null });
  });

  it("deletes a budget (204, no body), and throws a ResponseError with the backend's sentence", async () => {
    const deleted = createClient(new Response(null, { status: 204 }));
    await expect(deleted.client.deleteBudget('b-1')).resolves.toBeUndefined();
    expect(deleted.fetch).toHaveBeenCalledWith(
      `${baseUrl}/budgets/b-1`,
      expect.objectContaining({ method: 'DELETE' }),
    );

    const refused = createClient(
      jsonResponse(409, {
        error: {
          name: 'ConflictError',
          message:
            'declared in app-config (azureTenant.budgets.declared); change it there',
        },
        response: { statusCode: 409 },
      }),
    );
    const error = await refused.client.deleteBudget('b-2').catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.cause.message).toBe(
      'declared in app-config (azureTenant.budgets.declared); change it there',
    );
  });

  it("lists the alerts sent and Azure's budgets from their items", async () => {
    const alerts = createClient(jsonResponse(200, { items: [{ id: 'a-1' }] }));
    await expect(
      alerts.client.listBudgetAlerts({ budgetId: 'b-1', limit: 20 }),
    ).resolves.toEqual([{ id: 'a-1' }]);
    expect(alerts.fetch.mock.calls[0][0]).toBe(
      `${baseUrl}/budget-alerts?budgetId=b-1&limit=20`,
    );

    const azure = createClient(jsonResponse(200, { items: [] }));
    await azure.client.listAzureBudgets({ subscriptionId: 'sub-1' });
    expect(azure.fetch.mock.calls[0][0]).toBe(
      `${baseUrl}/azure-budgets?subscriptionId=sub-1`,
    );
  });
});

describe('AzureTenantClient tag governance', () => {
  const input = {
    name: 'Owner is a catalog team',
    key: 'owner',
    required: true,
    values: { kind: 'catalog-entity' as const },
  };

  it('lists the tag policies and Azure Policy assignments from their items', async () => {
    const policies = createClient(
      jsonResponse(200, { items: [{ id: 'p-1', ...input }] }),
    );
    await expect(policies.client.listTagPolicies()).resolves.toEqual([
      { id: 'p-1', ...input },
    ]);
    expect(policies.fetch).toHaveBeenCalledWith(
      `${baseUrl}/tag-policies`,
      expect.objectContaining({ method: 'GET' }),
    );

    const azure = createClient(jsonResponse(200, { items: [{ id: 'a-1' }] }));
    await expect(
      azure.client.listAzureTagPolicies({ subscriptionId: 'sub-1' }),
    ).resolves.toEqual([{ id: 'a-1' }]);
    expect(azure.fetch.mock.calls[0][0]).toBe(
      `${baseUrl}/tag-policies/azure?subscriptionId=sub-1`,
    );
  });

  it('creates, replaces and deletes a policy with JSON bodies, escaping its id', async () => {
    const created = createClient(jsonResponse(201, { id: 'p/1', ...input }));
    await expect(created.client.createTagPolicy(input)).resolves.toMatchObject({
      id: 'p/1',
    });
    expect(created.fetch).toHaveBeenCalledWith(
      `${baseUrl}/tag-policies`,
      expect.objectContaining({ method: 'POST' }),
    );
    expect(sentBody(created.fetch)).toEqual(input);

    const replaced = createClient(jsonResponse(200, { id: 'p/1', ...input }));
    await replaced.client.updateTagPolicy('p/1', input);
    expect(replaced.fetch).toHaveBeenCalledWith(
      `${baseUrl}/tag-policies/p%2F1`,
      expect.objectContaining({ method: 'PUT' }),
    );
    expect(sentBody(replaced.fetch)).toEqual(input);

    const deleted = createClient(new Response(null, { status: 204 }));
    await expect(
      deleted.client.deleteTagPolicy('p/1'),
    ).resolves.toBeUndefined();
    expect(deleted.fetch).toHaveBeenCalledWith(
      `${baseUrl}/tag-policies/p%2F1`,
      expect.objectContaining({ method: 'DELETE' }),
    );
  });

  it("throws a ResponseError with the backend's sentence when a policy from app-config is changed", async () => {
    const refused = createClient(
      jsonResponse(409, {
        error: {
          name: 'ConflictError',
          message: 'declared in app-config; change it there',
        },
        response: { statusCode: 409 },
      }),
    );
    const error = await refused.client
      .updateTagPolicy('config-owner', input)
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.response.status).toBe(409);
    expect(error.cause.message).toBe('declared in app-config; change it there');
  });

  it('reads the summary of an owner and the teams with the days asked for, escaping the ref', async () => {
    const summary = createClient(
      jsonResponse(200, { scope: { kind: 'owner' }, history: [] }),
    );
    await summary.client.getTagComplianceSummary({
      ownerRef: 'group:default/team-a',
      days: 30,
    });
    expect(summary.fetch.mock.calls[0][0]).toBe(
      `${baseUrl}/tag-compliance/summary?ownerRef=group%3Adefault%2Fteam-a&days=30`,
    );

    const everything = createClient(jsonResponse(200, {}));
    await everything.client.getTagComplianceSummary({});
    expect(everything.fetch.mock.calls[0][0]).toBe(
      `${baseUrl}/tag-compliance/summary?`,
    );

    const teams = createClient(jsonResponse(200, { teams: [] }));
    await expect(
      teams.client.getTagComplianceTeams({ days: 7 }),
    ).resolves.toEqual({ teams: [] });
    expect(teams.fetch.mock.calls[0][0]).toBe(
      `${baseUrl}/tag-compliance/teams?days=7`,
    );
  });

  it('lists a page of resource compliance with its filters and returns the next cursor', async () => {
    const page = { items: [{ resourceId: 'r-1' }], nextCursor: 'c/2' };
    const { client, fetch } = createClient(jsonResponse(200, page));

    await expect(
      client.listTagCompliance({
        subscriptionId: 'sub-1',
        status: 'non-compliant',
        policyId: 'p-1',
        cursor: 'c/1',
        limit: 500,
      }),
    ).resolves.toEqual(page);
    expect(fetch.mock.calls[0][0]).toBe(
      `${baseUrl}/tag-compliance/resources?subscriptionId=sub-1&status=non-compliant&policyId=p-1&cursor=c%2F1&limit=500`,
    );
  });

  it("reads one resource's compliance by its escaped id, and a 404 when it was not evaluated", async () => {
    const resourceId =
      '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm';
    const found = createClient(
      jsonResponse(200, { resourceId, status: 'compliant', violations: [] }),
    );
    await expect(
      found.client.getResourceTagCompliance(resourceId),
    ).resolves.toMatchObject({ status: 'compliant' });
    expect(found.fetch.mock.calls[0][0]).toBe(
      `${baseUrl}/tag-compliance/resource?resourceId=${encodeURIComponent(
        resourceId,
      )}`,
    );

    const missing = createClient(
      jsonResponse(404, {
        error: { name: 'NotFoundError', message: 'not evaluated yet' },
        response: { statusCode: 404 },
      }),
    );
    const error = await missing.client
      .getResourceTagCompliance(resourceId)
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.response.status).toBe(404);
  });

  it('previews and applies fixes with the selection as the body, and reads a job by id', async () => {
    const selection = {
      subscriptionIds: ['sub-1'],
      kinds: ['canonical-key' as const],
    };
    const preview = createClient(
      jsonResponse(200, { selection, resources: 3, byKind: {} }),
    );
    await expect(
      preview.client.previewTagFixes(selection),
    ).resolves.toMatchObject({ resources: 3 });
    expect(preview.fetch).toHaveBeenCalledWith(
      `${baseUrl}/tag-fixes/preview`,
      expect.objectContaining({ method: 'POST' }),
    );
    expect(sentBody(preview.fetch)).toEqual(selection);

    const applied = createClient(
      jsonResponse(202, { id: 'job/1', state: 'pending' }),
    );
    await expect(
      applied.client.applyTagFixes(selection),
    ).resolves.toMatchObject({ id: 'job/1', state: 'pending' });
    expect(applied.fetch).toHaveBeenCalledWith(
      `${baseUrl}/tag-fixes`,
      expect.objectContaining({ method: 'POST' }),
    );
    expect(sentBody(applied.fetch)).toEqual(selection);

    const job = createClient(jsonResponse(200, { id: 'job/1', state: 'done' }));
    await job.client.getTagFixJob('job/1');
    expect(job.fetch.mock.calls[0][0]).toBe(`${baseUrl}/tag-fixes/job%2F1`);
  });

  it('throws a ResponseError when the fixes may not be applied', async () => {
    const refused = createClient(
      jsonResponse(403, {
        error: { name: 'NotAllowedError', message: 'Not allowed to edit tags' },
        response: { statusCode: 403 },
      }),
    );
    const error = await refused.client
      .applyTagFixes({ subscriptionIds: ['sub-1'] })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.cause.message).toBe('Not allowed to edit tags');
  });
});
