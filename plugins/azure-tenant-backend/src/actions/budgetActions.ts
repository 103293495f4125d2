import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { BudgetStatus } from '@azure-tenant/plugin-azure-tenant-common';
import { budgetInputShape } from '../budgets/budgetInput';
import { BudgetOperations } from '../budgets/BudgetOperations';
import { Zod } from './actionSchemas';

/** What the actions of {@link registerBudgetActions} run. */
export interface BudgetActionsOptions {
  budgets: BudgetOperations;
}

const EXAMPLE_SUBSCRIPTION = '3f1c2a4e-8b7d-4c6a-9e5f-1a2b3c4d5e6f';

const SCOPE_KINDS = [
  'subscription',
  'resourceGroup',
  'entity',
  'customGroup',
] as const;

const budgetIdSchema = (z: Zod) =>
  z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a budget id')
    .describe(
      'The id of a budget, from list-budgets (a GUID, or the id declared in app-config)',
    );

const thresholdSchema = (z: Zod) =>
  z.object({ type: z.enum(['actual', 'forecast']), percent: z.number() });

/** A budget with its use in the current period, as `GET /budgets/{id}` answers it. */
const budgetStatusSchema = (z: Zod) =>
  z.object({
    budget: z.object({
      id: z.string(),
      name: z.string(),
      scope: z
        .object({ kind: z.enum(SCOPE_KINDS) })
        .passthrough()
        .describe('What the budget covers'),
      owner: z.string(),
      amount: z.number(),
      currency: z.string(),
      period: z.object({ type: z.string() }).passthrough(),
      thresholds: z.array(thresholdSchema(z)),
      source: z
        .enum(['portal', 'config'])
        .describe('config: declared in app-config, read-only here'),
      mutedUntil: z.string().optional(),
      createdBy: z.string().optional(),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
    periodStart: z.string(),
    periodEnd: z.string(),
    actual: z
      .number()
      .describe("Spend so far in the period, in the budget's currency"),
    forecast: z.number().describe('Forecast spend for the whole period'),
    spendThrough: z.string().optional(),
    actualPercent: z.number(),
    forecastPercent: z.number(),
    state: z
      .enum(['on-track', 'at-risk', 'over', 'no-data', 'currency-mismatch'])
      .describe(
        'on-track; at-risk: the forecast reaches the amount; over: actual spend reaches it; no-data: not evaluated or no spend yet; currency-mismatch: see problem',
      ),
    conversions: z
      .array(z.string())
      .describe('How spend in other currencies was converted'),
    problem: z.string().optional(),
    crossed: z
      .array(thresholdSchema(z))
      .describe('Thresholds already crossed and alerted in this period'),
    evaluatedAt: z.string().optional(),
  });

/** The output of a status, as the actions registry wants it: JSON. */
const output = (status: BudgetStatus) => ({
  output: JSON.parse(JSON.stringify(status)),
});

const WRITE_RULES =
  'For users only. Needs the permission named, which the portal may limit to the owners of the budget ' +
  '(for a change: both the budget as it is and as it would be); others get a 403. Budgets declared in app-config ' +
  '(source config) cannot be changed or deleted here (409), only muted.';

/**
 * `list-budgets`, `create-budget`, `update-budget`, `delete-budget` and `mute-budget`: the operations of the budgets
 * API, with its validation, permissions and audit events.
 */
export function registerBudgetActions(
  registry: ActionsRegistryService,
  { budgets }: BudgetActionsOptions,
) {
  registry.register({
    name: 'list-budgets',
    title: 'List budgets',
    description:
      "Lists the portal's budgets on Azure spend that the caller may see (those whose scope's spend it may read), " +
      'by name, each with its current period, actual and forecast spend in its currency, the percentages of its ' +
      'amount, its state (on-track, at-risk, over, no-data, currency-mismatch), the thresholds already crossed and ' +
      'whether its alerts are muted. Filter by owner (e.g. group:default/team-a) or by kind of scope. Use it to find ' +
      "a budget's id for update-budget, delete-budget or mute-budget.",
    schema: {
      // Strict, as the REST API: a field the schema does not name is refused, not dropped while the rest runs.
      input: z =>
        z.strictObject({
          owner: z
            .string()
            .optional()
            .describe(
              'Only budgets of this group or user, e.g. group:default/team-a (without a kind: a group)',
            ),
          scopeKind: z
            .enum(SCOPE_KINDS)
            .optional()
            .describe('Only budgets of this kind of scope'),
        }),
      output: z => z.object({ items: z.array(budgetStatusSchema(z)) }),
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [
      { title: "A team's budgets", input: { owner: 'group:default/team-a' } },
    ],
    action: async ({ input, credentials }) => ({
      output: {
        items: JSON.parse(
          JSON.stringify(await budgets.list({ credentials }, input)),
        ),
      },
    }),
  });

  registry.register({
    name: 'create-budget',
    title: 'Create a budget',
    description:
      'Writes a new budget on Azure spend: a name, a scope (a connected subscription, a resource group of one, a ' +
      'catalog entity with all it owns, or a custom group of subscriptions, resource groups and tag filters), an ' +
      'amount per period in a currency, a period (monthly, quarterly, yearly from a start month, or custom dates) and ' +
      'thresholds (default actual 50/80/100% and forecast 100%); its owner is notified when a threshold is crossed. ' +
      "The owner defaults to the scope's owner in the catalog and is required for a custom group. The currency must " +
      "be that of the scope's spend unless an exchange rate is configured; the error says which. Needs " +
      `azure-tenant.budget.create. ${WRITE_RULES} Returns the budget with its status.`,
    schema: {
      input: z => z.strictObject(budgetInputShape(z)),
      output: budgetStatusSchema,
    },
    attributes: { destructive: false, idempotent: false },
    examples: [
      {
        title: "A monthly budget on a team's subscription",
        input: {
          name: 'Platform monthly',
          scope: { kind: 'subscription', subscriptionId: EXAMPLE_SUBSCRIPTION },
          amount: 5000,
          currency: 'USD',
          period: { type: 'monthly' },
        },
      },
      {
        title: 'A fiscal-year budget on everything a team owns',
        input: {
          name: 'Team A FY',
          scope: { kind: 'entity', entityRef: 'group:default/team-a' },
          amount: 60000,
          currency: 'EUR',
          period: { type: 'yearly', startMonth: 4 },
          thresholds: [
            { type: 'actual', percent: 90 },
            { type: 'forecast', percent: 100 },
          ],
        },
      },
    ],
    action: async ({ input, credentials }) =>
      output(await budgets.create({ credentials }, input)),
  });

  registry.register({
    name: 'update-budget',
    title: 'Replace a budget',
    description:
      "Writes a budget's fields anew: give every field as for create-budget (fields left out take their defaults), " +
      'plus budgetId. Its mute, creator and creation time are kept. Read it with list-budgets first. Needs ' +
      `azure-tenant.budget.update. ${WRITE_RULES} Returns the budget with its status.`,
    schema: {
      input: z =>
        z.strictObject({
          budgetId: budgetIdSchema(z),
          ...budgetInputShape(z),
        }),
      output: budgetStatusSchema,
    },
    attributes: { destructive: true, idempotent: true },
    examples: [
      {
        title: 'Raise a budget',
        input: {
          budgetId: '9b2f7c1e-4d3a-4b5c-8e6f-0a1b2c3d4e5f',
          name: 'Platform monthly',
          scope: { kind: 'subscription', subscriptionId: EXAMPLE_SUBSCRIPTION },
          amount: 6000,
          currency: 'USD',
          period: { type: 'monthly' },
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const { budgetId, ...fields } = input;
      return output(await budgets.replace({ credentials }, budgetId, fields));
    },
  });

  registry.register({
    name: 'delete-budget',
    title: 'Delete a budget',
    description: `Writes: deletes a budget; the alerts it already sent are kept. Needs azure-tenant.budget.delete. ${WRITE_RULES}`,
    schema: {
      input: z => z.strictObject({ budgetId: budgetIdSchema(z) }),
      output: z =>
        z.object({
          budgetId: z.string(),
          deleted: z.literal(true),
        }),
    },
    attributes: { destructive: true, idempotent: false },
    examples: [
      {
        title: 'Delete a budget',
        input: { budgetId: '9b2f7c1e-4d3a-4b5c-8e6f-0a1b2c3d4e5f' },
      },
    ],
    action: async ({ input, credentials }) => {
      await budgets.delete({ credentials }, input.budgetId);
      return {
        output: { budgetId: input.budgetId, deleted: true as const },
      };
    },
  });

  registry.register({
    name: 'mute-budget',
    title: "Mute a budget's alerts",
    description:
      "Writes a mute of a budget's alerts until a time (ISO 8601, in the future, at most a year ahead): thresholds " +
      'crossed meanwhile are recorded but not notified. until null ends a mute. Budgets declared in app-config may ' +
      'be muted too. Needs azure-tenant.budget.update; for users only (403 otherwise). Returns the budget with its ' +
      'status.',
    schema: {
      input: z =>
        z.strictObject({
          budgetId: budgetIdSchema(z),
          until: z
            .string()
            .nullable()
            .describe(
              'When the mute ends, e.g. 2026-12-31T00:00:00Z; null to end it now',
            ),
        }),
      output: budgetStatusSchema,
    },
    attributes: { destructive: false, idempotent: true },
    examples: [
      {
        title: 'Mute until the end of the year',
        input: {
          budgetId: '9b2f7c1e-4d3a-4b5c-8e6f-0a1b2c3d4e5f',
          until: '2026-12-31T00:00:00Z',
        },
      },
    ],
    action: async ({ input, credentials }) =>
      output(await budgets.mute({ credentials }, input.budgetId, input.until)),
  });
}
