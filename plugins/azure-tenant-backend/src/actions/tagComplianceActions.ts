import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import { TagComplianceOperations } from '../governance/complianceApi/TagComplianceOperations';
import {
  DEFAULT_COMPLIANCE_DAYS,
  DEFAULT_COMPLIANCE_PAGE_SIZE,
  MAX_COMPLIANCE_DAYS,
  MAX_COMPLIANCE_PAGE_SIZE,
  TAG_COMPLIANCE_STATUSES,
} from '../governance/complianceApi/complianceQuery';
import { Zod } from './actionSchemas';

/** What the actions of {@link registerTagComplianceActions} run. */
export interface TagComplianceActionsOptions {
  tagCompliance: TagComplianceOperations;
}

const EXAMPLE_SUBSCRIPTION = '3f1c2a4e-8b7d-4c6a-9e5f-1a2b3c4d5e6f';

const statusSchema = (z: Zod) =>
  z.enum(TAG_COMPLIANCE_STATUSES as ['compliant', 'non-compliant', 'unknown']);

/** `TagComplianceFigure`. */
const figureSchema = (z: Zod) =>
  z.object({
    resources: z
      .number()
      .describe('Resources evaluated (compliant or non-compliant)'),
    compliant: z.number(),
    nonCompliant: z.number(),
    unknown: z
      .number()
      .describe(
        'Resources whose tags the portal does not keep (sync mode no-tags)',
      ),
    percent: z
      .number()
      .optional()
      .describe('compliant / resources in %, one decimal; absent with none'),
    byPolicy: z
      .record(z.number())
      .describe('How many resources break each policy, by policy id'),
  });

const historySchema = (z: Zod) =>
  z
    .array(figureSchema(z).extend({ day: z.string() }))
    .describe('One figure per UTC day, oldest first');

/** `TagComplianceSummary`. */
const summarySchema = (z: Zod) =>
  z.object({
    scope: z
      .object({ kind: z.enum(['all', 'subscription', 'owner']) })
      .passthrough(),
    current: figureSchema(z),
    history: historySchema(z),
    evaluatedAt: z.string().optional(),
  });

/** `TagComplianceTeams`. */
const teamsSchema = (z: Zod) =>
  z.object({
    teams: z.array(
      z.object({
        ownerRef: z.string(),
        current: figureSchema(z),
        weekAgo: figureSchema(z).optional(),
        history: historySchema(z),
      }),
    ),
    unowned: figureSchema(z).describe(
      'Resources whose owner tag names no catalog group or user',
    ),
  });

/** `ResourceTagCompliance`. */
const resourceComplianceSchema = (z: Zod) =>
  z.object({
    resourceId: z.string(),
    subscriptionId: z.string(),
    resourceGroup: z.string(),
    type: z.string(),
    name: z.string(),
    ownerRef: z.string().optional(),
    status: statusSchema(z),
    violations: z.array(
      z.object({
        policyId: z.string(),
        policyName: z.string(),
        key: z.string(),
        code: z.string(),
        found: z.object({ key: z.string(), value: z.string() }).optional(),
        message: z.string(),
      }),
    ),
    evaluatedAt: z.string(),
  });

const subscriptionIdSchema = (z: Zod) =>
  z
    .string()
    .max(512)
    .optional()
    .describe('A connected subscription id (a GUID)');

const ownerRefSchema = (z: Zod) =>
  z
    .string()
    .max(512)
    .optional()
    .describe(
      'A group or user that owns resources by their owner tag, e.g. group:default/platform (kind group when omitted)',
    );

/** The output as the actions registry wants it: JSON. */
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/**
 * `get-tag-compliance` and `list-tag-compliance`: the operations of `GET /tag-compliance/summary`, `/teams` and
 * `/resources`, with their validation and permissions, for the caller.
 */
export function registerTagComplianceActions(
  registry: ActionsRegistryService,
  { tagCompliance }: TagComplianceActionsOptions,
) {
  registry.register({
    name: 'get-tag-compliance',
    title: 'Read Azure tag compliance',
    description:
      "Reads how well Azure resources' tags follow the portal's tag policies: the share of compliant resources, " +
      'how many break each policy, and the daily history. With view summary (the default): of one subscription ' +
      '(subscriptionId, needs catalog.entity.read on its entity), of one owner (ownerRef, needs catalog.entity.read ' +
      'on that group or user) or, with neither, of every resource (needs azure-tenant.tenant.read). With view teams: ' +
      "every owner's figure with the figure a week ago, and the resources nobody owns (needs " +
      `azure-tenant.tenant.read). days: history, 1 to ${MAX_COMPLIANCE_DAYS}, default ${DEFAULT_COMPLIANCE_DAYS}. ` +
      'Use list-tag-compliance for the resources and their violations.',
    schema: {
      // Strict, as the REST API: a field the schema does not name is refused, not dropped while the rest runs.
      input: z =>
        z.strictObject({
          view: z
            .enum(['summary', 'teams'])
            .optional()
            .describe(
              "summary (default): one scope's figure; teams: every owner's",
            ),
          subscriptionId: subscriptionIdSchema(z),
          ownerRef: ownerRefSchema(z),
          days: z
            .number()
            .int()
            .min(1)
            .max(MAX_COMPLIANCE_DAYS)
            .optional()
            .describe(`Days of history; default ${DEFAULT_COMPLIANCE_DAYS}`),
        }),
      output: z =>
        z.object({
          summary: summarySchema(z).optional().describe('With view summary'),
          teams: teamsSchema(z).optional().describe('With view teams'),
        }),
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [
      {
        title: "A subscription's compliance over the last week",
        input: { subscriptionId: EXAMPLE_SUBSCRIPTION, days: 7 },
      },
      { title: 'Every team, side by side', input: { view: 'teams' } },
    ],
    action: async ({ input, credentials }) => {
      const { view, ...query } = input;
      if (view === 'teams') {
        if (
          query.subscriptionId !== undefined ||
          query.ownerRef !== undefined
        ) {
          throw new InputError(
            'view teams covers every owner: give neither subscriptionId nor ownerRef (use view summary for one)',
          );
        }
        return {
          output: {
            teams: json(await tagCompliance.teams({ credentials }, query)),
          },
        };
      }
      return {
        output: {
          summary: json(await tagCompliance.summary({ credentials }, query)),
        },
      };
    },
  });

  registry.register({
    name: 'list-tag-compliance',
    title: "List Azure resources' tag compliance",
    description:
      "Lists Azure resources' tag compliance a page at a time, in the order of their ids: each resource's status " +
      '(compliant, non-compliant, or unknown when its tags are not kept) and every policy it breaks, with the tag ' +
      'as found and a sentence saying why. Filters combine: subscriptionId, ownerRef, policyId (resources that ' +
      'break it), status. Only resources whose catalog entity the caller may read are listed, so a page may hold ' +
      'fewer than limit, even none: pass nextCursor back as cursor, with the same filters, until it is absent. ' +
      `limit: 1 to ${MAX_COMPLIANCE_PAGE_SIZE}, default ${DEFAULT_COMPLIANCE_PAGE_SIZE}.`,
    schema: {
      input: z =>
        z.strictObject({
          subscriptionId: subscriptionIdSchema(z),
          ownerRef: ownerRefSchema(z),
          policyId: z
            .string()
            .max(512)
            .optional()
            .describe('Only resources that break this policy (its id)'),
          status: statusSchema(z).optional(),
          cursor: z
            .string()
            .max(4096)
            .optional()
            .describe('nextCursor of the previous page'),
          limit: z
            .number()
            .int()
            .min(1)
            .max(MAX_COMPLIANCE_PAGE_SIZE)
            .optional(),
        }),
      output: z =>
        z.object({
          items: z.array(resourceComplianceSchema(z)),
          nextCursor: z.string().optional().describe('Absent on the last page'),
        }),
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [
      {
        title: "A team's resources that break a policy",
        input: {
          ownerRef: 'group:default/platform',
          status: 'non-compliant',
        },
      },
    ],
    action: async ({ input, credentials }) => ({
      output: json(await tagCompliance.list({ credentials }, input)),
    }),
  });
}
