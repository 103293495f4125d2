import {
  BudgetStatus,
  BudgetThreshold,
  SpendAlert,
} from '@azure-tenant/plugin-azure-tenant-common';

/** How a budget stood in its current period at its last evaluation: its status without the budget itself. */
export type BudgetEvaluation = Omit<BudgetStatus, 'budget' | 'crossed'>;

/**
 * A spend alert about to be recorded. `dedupeKey` names what it is about, so that it is recorded once:
 * `threshold:{budgetId}:{periodStart}:{type}:{percent}` or `anomaly:{subscriptionId}:{day}`.
 */
export type NewSpendAlert = Omit<SpendAlert, 'id' | 'createdAt'> & {
  dedupeKey: string;
};

/** A recorded alert, with its key. */
export type RecordedSpendAlert = SpendAlert & { dedupeKey: string };

/** A recorded alert that has not been delivered, with the sends tried so far. */
export type UndeliveredSpendAlert = RecordedSpendAlert & { attempts: number };

/**
 * Storage of budget evaluations and spend alerts. Its implementation is the one writer of `budget_evaluations` and
 * `spend_alerts`.
 */
export interface BudgetEvaluationStore {
  /** Replaces the evaluation of each budget. */
  saveEvaluations(
    evaluations: Array<BudgetEvaluation & { budgetId: string }>,
  ): Promise<void>;
  /** The last evaluation of each budget (of these, or of every budget), by budget id. */
  getEvaluations(budgetIds?: string[]): Promise<Map<string, BudgetEvaluation>>;
  /**
   * Inserts once per dedupeKey (ON CONFLICT DO NOTHING); undefined when it already existed. A `pending` alert is
   * recorded with one send attempt, the one its recorder is about to make.
   */
  recordAlert(alert: NewSpendAlert): Promise<SpendAlert | undefined>;
  /** {@link BudgetEvaluationStore.recordAlert} of many in one transaction: the alerts recorded now, in order. */
  recordAlerts(alerts: NewSpendAlert[]): Promise<RecordedSpendAlert[]>;
  /**
   * Claims a failed/pending alert for a retry (conditional update, so one replica wins): true when its attempts were
   * still `attempts`, which are then one more, with the delivery `pending`.
   */
  claimRetry(id: string, attempts: number): Promise<boolean>;
  setDelivery(id: string, delivery: SpendAlert['delivery']): Promise<void>;
  /** {@link BudgetEvaluationStore.setDelivery} of many alerts at once. */
  setDeliveries(ids: string[], delivery: SpendAlert['delivery']): Promise<void>;
  /**
   * Alerts to send again: `failed` ones, and `pending` ones not updated since `staleBefore` (ISO 8601; their sender
   * stopped before it could record how the send went), with fewer than `maxAttempts` attempts, oldest first.
   */
  listUndelivered(options: {
    maxAttempts: number;
    staleBefore: string;
    limit: number;
  }): Promise<UndeliveredSpendAlert[]>;
  /**
   * Alerts, newest first. `before` is an ISO 8601 time (alerts created before it), or a page's cursor `{time}~{id}`
   * (see {@link spendAlertCursor}).
   */
  listAlerts(filter: {
    budgetIds?: string[];
    kind?: 'threshold' | 'anomaly';
    limit: number;
    before?: string;
  }): Promise<SpendAlert[]>;
  /** The thresholds alerted for each budget in a period (for BudgetStatus.crossed). */
  crossedThresholds(
    budgetIds: string[],
  ): Promise<
    Map<string, Array<{ periodStart: string; threshold: BudgetThreshold }>>
  >;
}

/** The cursor of the page after `alert` in {@link BudgetEvaluationStore.listAlerts}: its time and id. */
export function spendAlertCursor(alert: SpendAlert): string {
  return `${alert.createdAt}~${alert.id}`;
}
