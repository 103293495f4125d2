import { mockCredentials } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { SpendAlert } from '@azure-tenant/plugin-azure-tenant-common';
import { BudgetAlertOperations } from '../budgets/BudgetAlertOperations';
import { registerBudgetAlertActions } from './budgetAlertActions';

// On the actions registry's own mock, which validates input and output as the registry does.
describe('the list-budget-alerts action', () => {
  const credentials = mockCredentials.user('user:default/alice');
  const alert: SpendAlert = {
    id: '0d4bbf3e-8a3a-4f0e-9c35-6a2f64c7a001',
    kind: 'threshold',
    budgetId: 'team-a-monthly',
    budgetName: 'Team A monthly',
    threshold: { type: 'actual', percent: 80 },
    periodStart: '2026-12-01',
    scopeRef: 'group:default/team-a',
    recipients: ['group:default/team-a'],
    title:
      "Budget 'Team A monthly' reached 82% (8,210.55 of 10,000 USD) on 2026-12-03",
    description: 'Figures',
    link: '/catalog/default/group/team-a',
    delivery: 'sent',
    createdAt: '2026-12-03T10:00:00.000Z',
  };
  let mayReadAll: boolean;
  let listAlerts: jest.Mock;
  let authorize: jest.Mock;
  let registry: ReturnType<typeof actionsRegistryServiceMock>;

  beforeEach(() => {
    mayReadAll = true;
    listAlerts = jest.fn(async () => [alert]);
    authorize = jest.fn(async (requests: any[]) =>
      requests.map(() => ({
        result: mayReadAll ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      })),
    );
    registry = actionsRegistryServiceMock();
    registerBudgetAlertActions(registry, {
      budgetAlerts: new BudgetAlertOperations({
        evaluations: { listAlerts },
        budgets: { get: async () => undefined },
        permissions: { authorize } as any,
      }),
    });
  });

  const invoke = (input: Record<string, unknown>) =>
    registry.invoke({
      id: 'test:list-budget-alerts',
      input: input as any,
      credentials,
    });

  it('is listed as a read-only, idempotent action', async () => {
    const { actions } = await registry.list();
    const action = actions.find(a => a.name === 'list-budget-alerts');
    expect(action?.attributes).toEqual({
      readOnly: true,
      idempotent: true,
      destructive: false,
    });
    expect(action?.description).toMatch(/azure-tenant\.alerts\.read/);
  });

  it("answers what GET /budget-alerts answers, for the caller's own permissions", async () => {
    const { output } = await invoke({ kind: 'threshold', limit: 20 });
    expect(output).toEqual({ items: [alert] });
    expect(listAlerts).toHaveBeenCalledWith({ kind: 'threshold', limit: 21 });
    expect(authorize.mock.calls[0][1].credentials).toBe(credentials);
  });

  it('refuses every alert to a caller without alerts.read, as the REST API does', async () => {
    mayReadAll = false;
    await expect(invoke({})).rejects.toThrow(/azure-tenant\.alerts\.read/);
    expect(listAlerts).not.toHaveBeenCalled();
  });

  it.each([
    [{ limit: 0 }],
    [{ limit: 1.5 }],
    [{ kind: 'budget' }],
    [{ budgetId: '../budgets' }],
    [{ owner: 'group:default/team-a' }],
  ])('refuses %j before reading anything', async input => {
    await expect(invoke(input)).rejects.toThrow(/Invalid input/);
    expect(listAlerts).not.toHaveBeenCalled();
  });

  it("refuses a before that is not a time with the REST API's message", async () => {
    await expect(invoke({ before: 'yesterday' })).rejects.toThrow(
      /before must be an ISO 8601 time/,
    );
  });
});
