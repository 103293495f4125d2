import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { AzureBudgetOperations } from '../budgets/azure/AzureBudgetOperations';
import { SavingsOperations } from '../savings/SavingsOperations';
import { spendTargetInputShape } from './actionSchemas';

/** What the actions of {@link registerSavingsActions} run. */
export interface SavingsActionsOptions {
  savings: SavingsOperations;
  azureBudgets: AzureBudgetOperations;
}

/** `get-savings` and `list-azure-budgets`: the same operations as `GET /savings` and `GET /azure-budgets`. */
export function registerSavingsActions(
  registry: ActionsRegistryService,
  { savings, azureBudgets }: SavingsActionsOptions,
) {
  registry.register({
    name: 'get-savings',
    title: 'Read Azure Advisor savings',
    description:
      "Reads Azure Advisor's cost recommendations for a subscription, a resource or a catalog entity (for a group or " +
      'user: the Azure resources and subscriptions it owns), biggest saving first, each with its impact, the ' +
      'problem, the solution and the estimated monthly saving in its currency, and the savings summed per ' +
      'currency (currencies are never mixed). Give exactly one of subscriptionId, resourceId and entityRef. readAt ' +
      'is when Azure was last read; notes say what could not be read. Needs azure-tenant.spend.read on the entity.',
    schema: {
      // Strict, as the REST API: a field the schema does not name is refused, not dropped while the rest runs.
      input: z =>
        z.strictObject({
          ...spendTargetInputShape(z),
        }),
      output: z =>
        z.object({
          recommendations: z.array(
            z.object({
              id: z.string(),
              resourceId: z.string(),
              subscriptionId: z.string(),
              impact: z.string().describe('High, Medium or Low'),
              problem: z.string(),
              solution: z.string(),
              monthlySavings: z.number().optional(),
              currency: z.string().optional(),
              lastUpdated: z.string(),
            }),
          ),
          totals: z.array(
            z.object({ currency: z.string(), monthlySavings: z.number() }),
          ),
          readAt: z.string().optional(),
          notes: z.array(z.string()).optional(),
        }),
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [
      {
        title: 'What a team could save on the Azure resources it owns',
        input: { entityRef: 'group:default/platform' },
      },
    ],
    action: async ({ input, credentials }) => ({
      output: await savings.report({ credentials }, input),
    }),
  });

  registry.register({
    name: 'list-azure-budgets',
    title: "List Azure's own budgets",
    description:
      'Lists the budgets defined in Azure (Microsoft.Consumption/budgets), read-only, as the portal last read them: ' +
      'amount, time grain, period, current and forecast spend with their currency, and the enabled notification ' +
      'thresholds. With subscriptionId, those of one connected subscription; without, those of every subscription ' +
      'whose spend the caller may read. Needs azure-tenant.spend.read on the subscription.',
    schema: {
      input: z =>
        z.strictObject({
          subscriptionId: z
            .string()
            .uuid()
            .optional()
            .describe('A connected subscription (a GUID); all when absent'),
        }),
      output: z =>
        z.object({
          items: z.array(
            z.object({
              id: z.string(),
              name: z.string(),
              subscriptionId: z.string(),
              resourceGroup: z.string().optional(),
              amount: z.number(),
              timeGrain: z.string(),
              startDate: z.string(),
              endDate: z.string().optional(),
              currentSpend: z
                .object({ amount: z.number(), unit: z.string() })
                .optional(),
              forecastSpend: z
                .object({ amount: z.number(), unit: z.string() })
                .optional(),
              notifications: z.array(
                z.object({
                  operator: z.string(),
                  threshold: z.number(),
                  thresholdType: z.string(),
                }),
              ),
              readAt: z.string(),
            }),
          ),
        }),
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [
      {
        title: "A subscription's budgets in Azure",
        input: { subscriptionId: '3f1c2a4e-8b7d-4c6a-9e5f-1a2b3c4d5e6f' },
      },
    ],
    action: async ({ input, credentials }) => ({
      output: await azureBudgets.list({ credentials }, input),
    }),
  });
}
