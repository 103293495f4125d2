import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { BudgetAlertOperations } from '../budgets/BudgetAlertOperations';

/** What the action of {@link registerBudgetAlertActions} runs. */
export interface BudgetAlertActionsOptions {
  budgetAlerts: BudgetAlertOperations;
}

/** `list-budget-alerts`: the same operation as `GET /budget-alerts`. */
export function registerBudgetAlertActions(
  registry: ActionsRegistryService,
  { budgetAlerts }: BudgetAlertActionsOptions,
) {
  registry.register({
    name: 'list-budget-alerts',
    title: 'List spend alerts',
    description:
      'Lists the spend alerts the portal sent, newest first: budget thresholds crossed (kind threshold, with the ' +
      'budget, the threshold and its period) and days of anomalous spend (kind anomaly, with the day), each with ' +
      'its title and figures, who was notified, and its delivery (sent; muted while the budget was muted; failed ' +
      "and retried). Give budgetId for one budget's alerts: that needs azure-tenant.spend.read on the budget's " +
      'scope, as reading the budget does; without it, every alert, which needs azure-tenant.alerts.read. For the ' +
      "next page, pass the answer's nextBefore as before.",
    schema: {
      // Strict, as the REST API: a field the schema does not name is refused, not dropped while the rest runs.
      input: z =>
        z.strictObject({
          budgetId: z
            .string()
            .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a budget id')
            .optional()
            .describe(
              'Only the alerts of this budget (an id from list-budgets)',
            ),
          kind: z
            .enum(['threshold', 'anomaly'])
            .optional()
            .describe('Only budget thresholds, or only spend anomalies'),
          limit: z
            .number()
            .int()
            .min(1)
            .max(500)
            .optional()
            .describe('The most alerts to list, 1 to 500; 100 when not given'),
          before: z
            .string()
            .min(1)
            .max(100)
            .optional()
            .describe(
              'Only alerts created before this ISO 8601 time, or the nextBefore of the previous answer',
            ),
        }),
      output: z =>
        z.object({
          items: z.array(
            z.object({
              id: z.string(),
              kind: z.enum(['threshold', 'anomaly']),
              budgetId: z.string().optional(),
              budgetName: z.string().optional(),
              threshold: z
                .object({
                  type: z.enum(['actual', 'forecast']),
                  percent: z.number(),
                })
                .optional(),
              periodStart: z.string().optional(),
              day: z.string().optional(),
              scopeRef: z.string(),
              recipients: z.array(z.string()),
              title: z.string(),
              description: z.string(),
              link: z.string(),
              delivery: z.enum(['sent', 'muted', 'failed', 'pending']),
              createdAt: z.string(),
            }),
          ),
          nextBefore: z
            .string()
            .optional()
            .describe(
              'When there may be older alerts, the before of the next page',
            ),
        }),
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [
      {
        title: "The alerts of a team's budget",
        input: { budgetId: '5b0e4f0c-2a57-4c1e-9a43-2f0d3c1b7e21', limit: 20 },
      },
    ],
    action: async ({ input, credentials }) => ({
      output: await budgetAlerts.list({ credentials }, input),
    }),
  });
}
