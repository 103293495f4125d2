import { ResponseError } from '@backstage/errors';
import { Budget, BudgetStatus } from '@azure-tenant/plugin-azure-tenant-common';

/** A budget's status for tests: a monthly USD 1,000 budget of team-a on a subscription, on track at 45%. */
export function budgetStatus(
  overrides: Partial<Omit<BudgetStatus, 'budget'>> & {
    budget?: Partial<Budget>;
  } = {},
): BudgetStatus {
  const { budget, ...status } = overrides;
  return {
    budget: {
      id: 'b-1',
      name: 'Web shop',
      scope: {
        kind: 'subscription',
        subscriptionId: '00000000-0000-0000-0000-000000000001',
      },
      amount: 1000,
      currency: 'USD',
      period: { type: 'monthly' },
      thresholds: [
        { type: 'actual', percent: 50 },
        { type: 'actual', percent: 80 },
        { type: 'actual', percent: 100 },
        { type: 'forecast', percent: 100 },
      ],
      owner: 'group:default/team-a',
      source: 'portal',
      createdAt: '2025-03-01T10:00:00Z',
      updatedAt: '2025-03-01T10:00:00Z',
      ...budget,
    },
    periodStart: '2025-03-01',
    periodEnd: '2025-03-31',
    actual: 450,
    forecast: 900,
    spendThrough: '2025-03-14',
    actualPercent: 45,
    forecastPercent: 90,
    state: 'on-track',
    conversions: [],
    crossed: [],
    ...status,
  };
}

/** The `ResponseError` the client throws for a Backstage error body, e.g. a 403 with its sentence. */
export async function responseError(
  statusCode: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        response: { statusCode },
      }),
      { status: statusCode, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

/** An amount as the budget views format it, in the test's locale. */
export function money(amount: number, currency = 'USD'): string {
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency,
  }).format(amount);
}
