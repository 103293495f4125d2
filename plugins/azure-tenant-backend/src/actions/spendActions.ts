import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { SpendOperations } from '../spend/SpendOperations';
import { addDays, dayOf } from '../spend/spendDays';
import { spendTargetInputShape, stalenessSchema } from './actionSchemas';

/** What the actions of {@link registerSpendActions} run. */
export interface SpendActionsOptions {
  spend: SpendOperations;
  /** The clock that picks the default period; tests move it. Defaults to the system clock. */
  now?: () => Date;
}

/** The days a query covers when it names neither end: the last 30, as the Spend card shows. */
const DEFAULT_PERIOD_DAYS = 30;

/** `get-spend`: the same operation as `GET /spend`. */
export function registerSpendActions(
  registry: ActionsRegistryService,
  { spend, now = () => new Date() }: SpendActionsOptions,
) {
  registry.register({
    name: 'get-spend',
    title: 'Read Azure spend',
    description:
      'Reads the Azure spend of a subscription, a resource or a catalog entity (for a group or user: the Azure ' +
      'resources and subscriptions it owns), per currency: the total, the previous period of the same length, ' +
      'the top groups (by service, resourceGroup, resource, location or tag:<key>), a point per day or month, and a ' +
      'month-end forecast when there is one. Give exactly one of subscriptionId, resourceId and entityRef. Without ' +
      `from and to, the last ${DEFAULT_PERIOD_DAYS} days (UTC). status 'pending' means spend was not synced yet. ` +
      'Needs azure-tenant.spend.read on the entity.',
    schema: {
      // Strict, as the REST API: a field the schema does not name is refused, not dropped while the rest runs.
      input: z =>
        z.strictObject({
          ...spendTargetInputShape(z),
          from: z
            .string()
            .optional()
            .describe(
              `First day, inclusive, YYYY-MM-DD; defaults to ${
                DEFAULT_PERIOD_DAYS - 1
              } days before to`,
            ),
          to: z
            .string()
            .optional()
            .describe(
              'Last day, inclusive, YYYY-MM-DD; at most 366 days after from; defaults to today (UTC)',
            ),
          granularity: z
            .enum(['day', 'month'])
            .optional()
            .describe('A point per day (default) or per month'),
          groupBy: z
            .string()
            .regex(/^(service|resourceGroup|resource|location|tag:.+)$/)
            .optional()
            .describe(
              'service (default), resourceGroup, resource, location, or tag:<key> (synced tags; the key is case-insensitive)',
            ),
          top: z
            .number()
            .int()
            .min(1)
            .max(50)
            .optional()
            .describe(
              'Groups kept (default 5); the rest are summed into "other"',
            ),
        }),
      output: z =>
        z.object({
          query: z.object({
            from: z.string(),
            to: z.string(),
            granularity: z.enum(['day', 'month']),
            groupBy: z.string(),
            top: z.number(),
            subscriptionId: z.string().optional(),
            resourceId: z.string().optional(),
            entityRef: z.string().optional(),
          }),
          status: z.enum(['ok', 'pending']),
          series: z.array(
            z.object({
              currency: z.string(),
              total: z.number(),
              previousTotal: z.number(),
              change: z.number().optional(),
              groups: z.array(
                z.object({
                  key: z.string(),
                  total: z.number(),
                  share: z.number(),
                  previousTotal: z.number().optional(),
                }),
              ),
              points: z.array(
                z.object({
                  date: z.string(),
                  amounts: z.record(z.number()),
                }),
              ),
              forecast: z
                .object({ monthEnd: z.number(), through: z.string() })
                .optional(),
            }),
          ),
          notes: z.array(z.string()),
          syncedAt: z.string().optional(),
          staleness: stalenessSchema(z).optional(),
          unallocated: z
            .array(
              z.object({
                currency: z.string(),
                total: z.number(),
                resources: z.number(),
              }),
            )
            .optional()
            .describe(
              "Of a subscription's spend: the part of resources whose owner tag names no catalog group or user, and of spend tied to no resource, per currency, with how many such resources had spend",
            ),
        }),
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [
      {
        title: "A team's spend by service over the last 30 days",
        input: { entityRef: 'group:default/platform' },
      },
      {
        title: "A subscription's monthly spend by resource group",
        input: {
          subscriptionId: '3f1c2a4e-8b7d-4c6a-9e5f-1a2b3c4d5e6f',
          from: '2026-01-01',
          to: '2026-06-30',
          granularity: 'month',
          groupBy: 'resourceGroup',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      // The API requires both ends; an agent most often means "lately".
      const to = input.to ?? dayOf(now());
      const from = input.from ?? addDays(to, -(DEFAULT_PERIOD_DAYS - 1));
      return {
        output: await spend.report({ credentials }, { ...input, from, to }),
      };
    },
  });
}
