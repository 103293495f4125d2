import {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import {
  AZURE_TENANT_EVENTS_TOPIC,
  AzureTenantEvent,
} from '@azure-tenant/plugin-azure-tenant-common';
import { loadAzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { AzureTenantStore } from '../../database/AzureTenantStore';
import { triggerTaskSoon } from '../../scheduling/triggerTask';
import { TagPolicySource } from '../TagPolicyStore';
import { ComplianceWriter } from './DatabaseComplianceStore';
import {
  DEFAULT_OWNER_TAG_KEY,
  TagComplianceEvaluator,
  TagComplianceEvaluatorOptions,
} from './TagComplianceEvaluator';

/** The id of the scheduled task that evaluates tag compliance. */
export const TAG_COMPLIANCE_TASK_ID = 'azure-tenant-tag-compliance';

/** When the task runs: every 30 minutes, soon after startup, and soon after every change of resources or policies. */
export const TAG_COMPLIANCE_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 15 },
  initialDelay: { seconds: 30 },
};

/** Reads the catalog module's owner tag key (`catalog.providers.azureTenant.ownerTagKey`), so both read one tag. */
export function readOwnerTagKey(config: Config): string {
  return (
    config
      .getOptionalString('catalog.providers.azureTenant.ownerTagKey')
      ?.trim() ||
    config.getOptionalString('azureTenant.catalog.ownerTagKey')?.trim() ||
    DEFAULT_OWNER_TAG_KEY
  );
}

/** Options for {@link TagComplianceService}. */
export interface TagComplianceServiceOptions {
  store: ComplianceWriter;
  resources: TagComplianceEvaluatorOptions['resources'];
  subscriptions: Pick<AzureTenantStore, 'listSubscriptions'>;
  policies: TagPolicySource;
  catalog: CatalogService;
  auth: AuthService;
  config: Config;
  scheduler: SchedulerService;
  events: EventsService;
  logger: LoggerService;
  /** How long `requestEvaluation` gathers requests before it triggers one run. Defaults to 5 seconds. */
  requestDelayMs?: number;
}

/**
 * Tag compliance as the plugin runs it: the scheduled task `azure-tenant-tag-compliance` (on one replica at a time,
 * under the scheduler's lock) evaluates what changed since its last run. Resource changes announced on the events
 * topic (syncs, tag edits) and policy changes ask for a run soon; the resources whose compliance changed are announced
 * in turn, and those announcements are not taken for new work.
 */
export class TagComplianceService {
  readonly evaluator: TagComplianceEvaluator;
  private readonly logger: LoggerService;
  /** The events this service published itself (`subscriptionId@revision`), to leave alone when they come back. */
  private readonly ownEvents = new Set<string>();
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: TagComplianceServiceOptions) {
    this.logger = options.logger.child({ taskId: TAG_COMPLIANCE_TASK_ID });
    const { catalog, auth } = options;
    this.evaluator = new TagComplianceEvaluator({
      store: options.store,
      resources: options.resources,
      subscriptions: options.subscriptions,
      policies: options.policies,
      loadOwners: () => loadAzureOwnerDirectory({ catalog, auth }),
      ownerTagKey: readOwnerTagKey(options.config),
      announce: changes => this.announce(changes),
      logger: this.logger,
    });
  }

  /** Schedules the task and listens for resource changes. */
  async start(): Promise<void> {
    await this.options.scheduler.scheduleTask({
      id: TAG_COMPLIANCE_TASK_ID,
      ...TAG_COMPLIANCE_SCHEDULE,
      fn: () => this.run(),
    });
    await this.options.events.subscribe({
      id: TAG_COMPLIANCE_TASK_ID,
      topics: [AZURE_TENANT_EVENTS_TOPIC],
      onEvent: async ({ eventPayload }) => {
        const event = eventPayload as AzureTenantEvent;
        if (
          event.type === 'resources-changed' &&
          this.ownEvents.delete(`${event.subscriptionId}@${event.revision}`)
        ) {
          return;
        }
        // A sync-mode change or a sync's new subscription tags change what the subscription's resources are judged by.
        this.requestEvaluation();
      },
    });
  }

  /** One run; a failure is logged and leaves the stored results as they were. */
  async run(options: { full?: boolean } = {}): Promise<void> {
    try {
      const run = await this.evaluator.evaluate(options);
      this.logger.info(
        `Tag compliance evaluated (${run.mode}) in ${run.durationMs} ms: ${run.evaluated} resources evaluated, ${run.changed} changed, ${run.removed} removed, ${run.touched} sent to the catalog again`,
      );
    } catch (error) {
      this.logger.error(
        `Could not evaluate tag compliance; the last results stay: ${
          (error as Error).message
        }`,
      );
    }
  }

  /**
   * Asks for a run soon (after resource syncs and policy changes). Requests made within a few seconds of each other
   * make one run. Never throws.
   */
  readonly requestEvaluation = (): void => {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void triggerTaskSoon(
        this.options.scheduler,
        TAG_COMPLIANCE_TASK_ID,
        this.logger,
      );
    }, this.options.requestDelayMs ?? 5000);
    // A pending request never keeps the process alive at shutdown.
    this.pending.unref?.();
  };

  /** For `TagPolicyOperations`' `onPoliciesChanged`. */
  readonly onPoliciesChanged = (): void => this.requestEvaluation();

  private async announce(
    changes: Array<{ subscriptionId: string; revision: number }>,
  ): Promise<void> {
    for (const { subscriptionId, revision } of changes) {
      const eventPayload: AzureTenantEvent = {
        type: 'resources-changed',
        subscriptionId,
        revision,
      };
      // Bounded: an event that never comes back (no local delivery) must not pile up.
      if (this.ownEvents.size >= 10_000) this.ownEvents.clear();
      this.ownEvents.add(`${subscriptionId}@${revision}`);
      try {
        await this.options.events.publish({
          topic: AZURE_TENANT_EVENTS_TOPIC,
          eventPayload,
        });
      } catch (error) {
        this.ownEvents.delete(`${subscriptionId}@${revision}`);
        throw error;
      }
    }
  }
}
