import {
  AuditorService,
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { Knex } from 'knex';
import { readSchedule } from '../config/configValues';
import { ResourceStore } from '../database/ResourceStore';
import { triggerTaskSoon } from '../scheduling/triggerTask';
import { SpendSyncResult } from '../spend/SpendSyncService';
import { SpendStore } from '../spend/SpendStore';
import { SpendAnomalyDetector } from './anomalies/SpendAnomalyDetector';
import { BudgetEvaluationStore } from './BudgetEvaluationStore';
import { BudgetEvaluator } from './BudgetEvaluator';
import { BudgetScopeResolver } from './BudgetScopeResolver';
import { BudgetStore } from './BudgetStore';
import { DatabaseBudgetEvaluationStore } from './DatabaseBudgetEvaluationStore';
import { ExchangeRates } from './exchangeRates';
import { ScopeSpendReader } from './ScopeSpendReader';
import {
  NotificationSpendAlertNotifier,
  SpendAlertNotifier,
} from './SpendAlertNotifier';

/** The id of the scheduled task that evaluates budgets, retries failed alerts and looks for anomalies. */
export const BUDGET_EVALUATION_TASK_ID = 'azure-tenant-budget-evaluation';

/** The default of `azureTenant.budgets.schedule`. */
export const DEFAULT_BUDGET_EVALUATION_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { minutes: 30 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 1 },
  };

/** Reads `azureTenant.budgets.schedule`; a wrong one stops the backend at startup with a message that names it. */
export function readBudgetEvaluationSchedule(
  config: Config,
): SchedulerServiceTaskScheduleDefinition {
  return readSchedule(
    config.getOptionalConfig('azureTenant.budgets'),
    'azureTenant.budgets',
    'schedule',
    DEFAULT_BUDGET_EVALUATION_SCHEDULE,
  );
}

/** Options for {@link BudgetEvaluationService.create}. */
export interface BudgetEvaluationServiceOptions {
  knex: Knex;
  config: Config;
  scheduler: SchedulerService;
  logger: LoggerService;
  auditor: AuditorService;
  notifications: NotificationService;
  catalog: CatalogService;
  auth: AuthService;
  spendStore: SpendStore;
  resources: Pick<ResourceStore, 'findResources'>;
  budgets: Pick<BudgetStore, 'list'>;
}

/**
 * Budgets and spend alerts as the plugin runs them: the scheduled task `azure-tenant-budget-evaluation` (every 30
 * minutes by default, and soon after every spend sync) evaluates every budget, sends again the alerts whose send
 * failed, then looks for spend anomalies. A budget that was just created or changed is evaluated at once.
 */
export class BudgetEvaluationService {
  private constructor(
    private readonly options: BudgetEvaluationServiceOptions,
    private readonly schedule: SchedulerServiceTaskScheduleDefinition,
    /** The evaluations and alerts, for the budgets API. */
    readonly evaluations: BudgetEvaluationStore,
    readonly evaluator: BudgetEvaluator,
    readonly notifier: SpendAlertNotifier,
    private readonly anomalies: SpendAnomalyDetector,
    private readonly logger: LoggerService,
  ) {}

  /** Reads and checks the configuration (exchange rates, schedule, anomaly settings) and puts the parts together. */
  static create(
    options: BudgetEvaluationServiceOptions,
  ): BudgetEvaluationService {
    const { knex, config, catalog, auth, spendStore } = options;
    const logger = options.logger.child({ taskId: BUDGET_EVALUATION_TASK_ID });
    const schedule = readBudgetEvaluationSchedule(config);
    const evaluations = new DatabaseBudgetEvaluationStore(knex);
    const notifier = new NotificationSpendAlertNotifier({
      store: evaluations,
      notifications: options.notifications,
      auditor: options.auditor,
      logger,
    });
    const evaluator = new BudgetEvaluator({
      budgets: options.budgets,
      evaluations,
      scopes: new BudgetScopeResolver({
        catalog,
        auth,
        resources: options.resources,
      }),
      spend: new ScopeSpendReader({ store: spendStore }),
      rates: ExchangeRates.fromConfig(config),
      notifier,
      logger,
    });
    const anomalies = new SpendAnomalyDetector({
      spendStore,
      catalog,
      auth,
      notifier,
      logger,
      config,
    });
    return new BudgetEvaluationService(
      options,
      schedule,
      evaluations,
      evaluator,
      notifier,
      anomalies,
      logger,
    );
  }

  /** Schedules the task; it runs on one replica at a time. */
  async start(): Promise<void> {
    await this.options.scheduler.scheduleTask({
      id: BUDGET_EVALUATION_TASK_ID,
      ...this.schedule,
      fn: () => this.run(),
    });
  }

  /**
   * One run: budgets, retries, anomalies. Each step is tried even when one before it failed; a failure is logged
   * and leaves what was stored before as it was.
   */
  async run(): Promise<void> {
    const { logger } = this;
    const started = Date.now();
    const steps: Array<[string, () => Promise<string>]> = [
      [
        'evaluate budgets',
        async () => {
          const { evaluated, alerts } = await this.evaluator.evaluate();
          return `${evaluated} budgets evaluated, ${alerts} alerts`;
        },
      ],
      [
        'send failed alerts again',
        async () => `${await this.notifier.retryFailed()} alerts sent again`,
      ],
      [
        'look for spend anomalies',
        async () => `${(await this.anomalies.run()).alerts} anomaly alerts`,
      ],
    ];
    const done: string[] = [];
    for (const [step, fn] of steps) {
      try {
        done.push(await fn());
      } catch (error) {
        logger.error(`Could not ${step}: ${(error as Error).message}`);
      }
    }
    logger.info(
      `Budget evaluation done in ${Date.now() - started} ms: ${done.join(
        '; ',
      )}`,
    );
  }

  /**
   * Evaluates a budget that was just created or changed, so that its status has figures at once (B's budget
   * operations call it after a write). It never throws: the write is done, and the next run evaluates it anyway.
   */
  readonly onBudgetChanged = async (budgetId: string): Promise<void> => {
    try {
      await this.evaluator.evaluate({ budgetIds: [budgetId] });
    } catch (error) {
      this.logger.warn(
        `Could not evaluate budget ${budgetId} after its change; the next run will: ${
          (error as Error).message
        }`,
        { budgetId },
      );
    }
  };

  /** After a spend sync: when spend was read, the budgets are evaluated soon rather than at the next run. */
  readonly afterSpendSync = async (
    results: SpendSyncResult[],
  ): Promise<void> => {
    if (!results.some(result => result.status === 'succeeded')) return;
    await triggerTaskSoon(
      this.options.scheduler,
      BUDGET_EVALUATION_TASK_ID,
      this.logger,
    );
  };
}
