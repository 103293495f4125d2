import { ActionsRegistryActionOptions } from '@backstage/backend-plugin-api/alpha';
import { SYNC_MODES, SyncMode } from '@azure-tenant/plugin-azure-tenant-common';

/** The zod the actions registry hands to each schema (`zod/v3`). */
export type Zod = Parameters<
  ActionsRegistryActionOptions<any, any>['schema']['input']
>[0];

/** The four sync modes, for an input or output field. */
export const syncModeSchema = (z: Zod) =>
  z.enum(SYNC_MODES as [SyncMode, ...SyncMode[]]);

/** A lost-access state of a tenant or subscription (`AzureAccessStatus`). */
export const accessStatusSchema = (z: Zod) =>
  z.object({
    problem: z.string().describe('What was lost, e.g. consent-revoked'),
    message: z.string().describe('What happened and what to do, in words'),
    since: z.string(),
    checkedAt: z.string(),
    action: z
      .string()
      .describe('reconnect, enable-subscription or none: the way back'),
    nextAttemptAt: z.string().optional(),
  });

/** Why data may be out of date: access was lost, and when it was last read (`AzureDataStaleness`). */
export const stalenessSchema = (z: Zod) =>
  z.object({
    access: accessStatusSchema(z),
    lastSuccessfulSyncAt: z.string().optional(),
  });

/** An onboarded subscription, as `GET /subscriptions` lists it. */
export const subscriptionSchema = (z: Zod) =>
  z.object({
    subscriptionId: z.string(),
    tenantId: z.string(),
    displayName: z.string(),
    state: z.string().optional().describe("Azure's state, e.g. Enabled"),
    syncMode: syncModeSchema(z),
    roleStatus: z
      .enum(['granted', 'partial', 'missing', 'unknown'])
      .describe("Whether the portal's service principal holds its roles"),
    grantedRoles: z.array(z.string()),
    source: z.enum(['onboarding', 'config']),
    lastSync: z
      .object({
        status: z.enum(['succeeded', 'failed']),
        finishedAt: z.string(),
        error: z.string().optional(),
      })
      .optional(),
    syncRequestedAt: z.string().optional(),
    access: accessStatusSchema(z).optional(),
    lastSuccessfulSyncAt: z.string().optional(),
    tags: z
      .record(z.string())
      .optional()
      .describe(
        "The subscription's own Azure tags as of the last sync, which tag policies may inherit; absent under no-tags and none",
      ),
  });

/**
 * What spend or savings are read for, as `GET /spend` and `GET /savings` take it: exactly one of a subscription, a
 * resource or a catalog entity (the operation refuses any other number). Spread into an action's input object.
 */
export const spendTargetInputShape = (z: Zod) => ({
  subscriptionId: z
    .string()
    .uuid()
    .optional()
    .describe('A connected subscription (a GUID)'),
  resourceId: z
    .string()
    .optional()
    .describe('An Azure resource id (case-insensitive)'),
  entityRef: z
    .string()
    .optional()
    .describe(
      'A catalog entity: an Azure subscription or resource entity, or a group or user such as group:default/platform',
    ),
});

/** A tag name to value map. */
export const tagsSchema = (z: Zod) => z.record(z.string());

/**
 * A map keyed by tag name, as an action's input takes it. zod leaves a key named `__proto__` out of a record (its
 * guard against prototype pollution), which would drop that tag from a change without a word while the rest is
 * written; such a name is refused instead, and `PATCH /tags` takes it.
 */
export const tagNameMapInputSchema = <S extends InstanceType<Zod['ZodRecord']>>(
  z: Zod,
  record: S,
) =>
  z.preprocess((value, ctx) => {
    if (
      value !== null &&
      typeof value === 'object' &&
      Object.prototype.hasOwnProperty.call(value, '__proto__')
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message:
          "A tag named '__proto__' cannot be changed through an action: the actions registry's validation drops that name. Use PATCH /tags of the REST API for it.",
      });
    }
    return value;
  }, record);
