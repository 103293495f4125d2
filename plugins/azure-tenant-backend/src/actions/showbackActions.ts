import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { DateTime } from 'luxon';
import { ShowbackOperations } from '../showback/ShowbackOperations';
import { MAX_SHOWBACK_MONTHS } from '../showback/showbackQuery';

/** What the action of {@link registerShowbackActions} runs. */
export interface ShowbackActionsOptions {
  showback: ShowbackOperations;
  /** The clock that picks the default months; tests move it. Defaults to the system clock. */
  now?: () => Date;
}

/** The months a query covers when it names neither end: this one and the two before. */
const DEFAULT_MONTHS = 3;

const MONTH_PATTERN = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

/** `get-showback`: the same operation as `GET /showback`. */
export function registerShowbackActions(
  registry: ActionsRegistryService,
  { showback, now = () => new Date() }: ShowbackActionsOptions,
) {
  registry.register({
    name: 'get-showback',
    title: 'Read Azure showback per team',
    description:
      'Reads the showback of Azure spend: per month and currency, what each owner (a catalog group or user) ' +
      'spends through the resources it owns, and the unallocated rest that no team owns, with the totals they add ' +
      "up to, to the cent. A resource's spend counts for the owner of its catalog entity when that owner came from " +
      "the resource's owner tag; the rest is unallocated. Without from and to, this month and the " +
      `${
        DEFAULT_MONTHS - 1
      } before (UTC); at most ${MAX_SHOWBACK_MONTHS} months. With owner, only that owner's ` +
      'rows. An owner needs azure-tenant.spend.read on its entity; unallocated and totals need ' +
      'azure-tenant.tenant.read.',
    schema: {
      // Strict, as the REST API: a field the schema does not name is refused, not dropped while the rest runs.
      input: z =>
        z.strictObject({
          from: z
            .string()
            .regex(MONTH_PATTERN, 'from must be a month YYYY-MM')
            .optional()
            .describe(
              `First month, inclusive, YYYY-MM; defaults to ${
                DEFAULT_MONTHS - 1
              } months before to`,
            ),
          to: z
            .string()
            .regex(MONTH_PATTERN, 'to must be a month YYYY-MM')
            .optional()
            .describe(
              'Last month, inclusive, YYYY-MM; defaults to this month (UTC)',
            ),
          owner: z
            .string()
            .max(512)
            .optional()
            .describe(
              "Only this owner's rows: a group or user such as group:default/platform (kind group when omitted)",
            ),
        }),
      output: z =>
        z.object({
          from: z.string(),
          to: z.string(),
          rows: z.array(
            z.object({
              month: z.string(),
              owner: z
                .string()
                .describe(
                  "An entity ref, or 'unallocated' for spend no team owns",
                ),
              currency: z.string(),
              amount: z.number(),
              resourceCount: z.number(),
            }),
          ),
          totals: z.array(
            z.object({
              month: z.string(),
              currency: z.string(),
              amount: z.number(),
            }),
          ),
          notes: z.array(z.string()),
        }),
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [
      {
        title: 'The showback of the last three months',
        input: {},
      },
      {
        title: "A team's spend over a fiscal year",
        input: {
          from: '2026-04',
          to: '2027-03',
          owner: 'group:default/platform',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      // The API requires both ends; an agent most often means "lately".
      const to =
        input.to ??
        DateTime.fromJSDate(now(), { zone: 'utc' }).toFormat('yyyy-MM');
      const from =
        input.from ??
        DateTime.fromFormat(to, 'yyyy-MM', { zone: 'utc' })
          .minus({ months: DEFAULT_MONTHS - 1 })
          .toFormat('yyyy-MM');
      return {
        output: await showback.report({ credentials }, { ...input, from, to }),
      };
    },
  });
}
