import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  DEFAULT_SYNC_MODE,
  SYNC_MODE_DESCRIPTIONS,
  SYNC_MODES,
} from '@azure-tenant/plugin-azure-tenant-common';
import { SubscriptionOperations } from '../service/SubscriptionOperations';
import {
  accessStatusSchema,
  subscriptionSchema,
  syncModeSchema,
} from './actionSchemas';

/** What the actions of {@link registerSubscriptionActions} run. */
export interface SubscriptionActionsOptions {
  subscriptions: SubscriptionOperations;
}

const EXAMPLE_SUBSCRIPTION = '3f1c2a4e-8b7d-4c6a-9e5f-1a2b3c4d5e6f';

/** Each sync mode with its title and meaning, for the descriptions an agent reads. */
const SYNC_MODES_EXPLAINED = SYNC_MODES.map(
  mode =>
    `${mode} (${SYNC_MODE_DESCRIPTIONS[mode].title}): ${SYNC_MODE_DESCRIPTIONS[mode].description}`,
).join(' ');

/**
 * `list-tenants`, `list-subscriptions`, `set-subscription-sync-mode` and `request-subscription-sync`: the same
 * operations as `GET /tenants`, `GET /subscriptions`, `PUT /subscriptions/{id}/sync-mode` and
 * `POST /subscriptions/{id}/sync`, for the caller's own credentials.
 */
export function registerSubscriptionActions(
  registry: ActionsRegistryService,
  { subscriptions }: SubscriptionActionsOptions,
) {
  registry.register({
    name: 'list-tenants',
    title: 'List connected Azure tenants',
    description:
      'Lists the Azure tenants connected to the portal: their id, name, how they were connected, how many ' +
      'subscriptions each has, and a lost-access state when the portal can no longer read them (with what to do). ' +
      'Use it to find a tenant id for list-subscriptions. Needs azure-tenant.tenant.read.',
    schema: {
      // Strict, as the REST API: a field the schema does not name is refused, not dropped while the rest runs.
      input: z => z.strictObject({}),
      output: z =>
        z.object({
          tenants: z.array(
            z.object({
              tenantId: z.string(),
              displayName: z.string().optional(),
              source: z.enum(['onboarding', 'config']),
              servicePrincipalId: z.string().optional(),
              connectedBy: z.string().optional(),
              connectedAt: z.string(),
              subscriptionCount: z.number(),
              access: accessStatusSchema(z).optional(),
              unregisteredSubscriptions: z
                .array(
                  z.object({
                    subscriptionId: z.string(),
                    displayName: z.string(),
                  }),
                )
                .optional()
                .describe(
                  'Subscriptions the portal can read but that were never added; "Add more subscriptions" adds them',
                ),
            }),
          ),
        }),
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [{ title: 'Every connected tenant', input: {} }],
    action: async ({ credentials }) => ({
      output: { tenants: await subscriptions.listTenants({ credentials }) },
    }),
  });

  registry.register({
    name: 'list-subscriptions',
    title: 'List onboarded Azure subscriptions',
    description:
      'Lists the Azure subscriptions the portal syncs, of one tenant or of all: sync mode, whether the portal ' +
      'holds its roles (Reader, Tag Contributor), the last sync and its error, a requested sync, and a lost-access ' +
      `state with what to do. The sync mode decides what the portal syncs and whether tag edits reach Azure: ${SYNC_MODES_EXPLAINED} ` +
      'Needs azure-tenant.tenant.read.',
    schema: {
      input: z =>
        z.strictObject({
          tenantId: z
            .string()
            .uuid()
            .optional()
            .describe('Only the subscriptions of this tenant (a GUID)'),
        }),
      output: z => z.object({ subscriptions: z.array(subscriptionSchema(z)) }),
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [
      { title: 'Every onboarded subscription', input: {} },
      {
        title: 'The subscriptions of one tenant',
        input: { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
      },
    ],
    action: async ({ input, credentials }) => ({
      output: {
        subscriptions: await subscriptions.listSubscriptions(
          { credentials },
          { tenantId: input.tenantId },
        ),
      },
    }),
  });

  registry.register({
    name: 'set-subscription-sync-mode',
    title: "Change a subscription's sync mode",
    description:
      `Writes a subscription's sync mode and starts a sync that applies it. ${SYNC_MODES_EXPLAINED} ` +
      `The default is ${DEFAULT_SYNC_MODE}. Changing to none removes the subscription's resource entities from the ` +
      'catalog, and no-tags purges their stored tags. Returns the subscription as it is after the change. Needs ' +
      'azure-tenant.subscription.manage (portal admins by default); others are refused with a 403.',
    schema: {
      input: z =>
        z.strictObject({
          subscriptionId: z
            .string()
            .uuid()
            .describe('The onboarded subscription (a GUID)'),
          syncMode: syncModeSchema(z).describe('The new sync mode'),
        }),
      output: subscriptionSchema,
    },
    // Destructive: under `none` the sync removes every resource entity of the subscription, and under `no-tags`
    // their stored tags. Idempotent: setting the mode a subscription already has changes nothing and syncs nothing.
    attributes: { destructive: true, idempotent: true },
    examples: [
      {
        title: 'Keep tag edits in the portal only',
        input: { subscriptionId: EXAMPLE_SUBSCRIPTION, syncMode: 'read-tags' },
      },
    ],
    action: async ({ input, credentials }) => ({
      output: await subscriptions.setSyncMode(
        { credentials },
        input.subscriptionId,
        input.syncMode,
      ),
    }),
  });

  registry.register({
    name: 'request-subscription-sync',
    title: "Request a subscription's sync now",
    description:
      "Writes a request for a subscription's sync to run now, outside its schedule (resources, tags, and " +
      'entities under its sync mode). Returns when it was requested; list-subscriptions shows lastSync once it ' +
      'ran. Use it after changing tags or resources in Azure. Needs azure-tenant.subscription.sync.',
    schema: {
      input: z =>
        z.strictObject({
          subscriptionId: z
            .string()
            .uuid()
            .describe('The onboarded subscription (a GUID)'),
        }),
      output: z =>
        z.object({
          subscriptionId: z.string(),
          syncRequestedAt: z
            .string()
            .describe('When the sync was requested (ISO 8601)'),
        }),
    },
    // Not destructive: a sync applies the mode the subscription already has, and a failed sync deletes nothing.
    // Idempotent: a second request before the sync ran asks for the same one sync.
    attributes: { destructive: false, idempotent: true },
    examples: [
      {
        title: 'Sync a subscription now',
        input: { subscriptionId: EXAMPLE_SUBSCRIPTION },
      },
    ],
    action: async ({ input, credentials }) => ({
      output: await subscriptions.requestSync(
        { credentials },
        input.subscriptionId,
      ),
    }),
  });
}
