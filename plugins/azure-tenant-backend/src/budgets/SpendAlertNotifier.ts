import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { NotificationSeverity } from '@backstage/plugin-notifications-common';
import { SpendAlert } from '@azure-tenant/plugin-azure-tenant-common';
import {
  BudgetEvaluationStore,
  NewSpendAlert,
  RecordedSpendAlert,
} from './BudgetEvaluationStore';

export type { NewSpendAlert } from './BudgetEvaluationStore';

/**
 * Records spend alerts once each and delivers them as Backstage notifications to their recipients. The budget
 * evaluation and the anomaly detection both go through it.
 */
export interface SpendAlertNotifier {
  /**
   * Records the alert and sends it, unless an alert with its `dedupeKey` was recorded before (by this replica or
   * another): then nothing is sent and the result is undefined. A `muted` alert is recorded as such and never sent.
   */
  notify(
    alert: NewSpendAlert & { muted?: boolean },
  ): Promise<SpendAlert | undefined>;
  /** Sends again the alerts whose send failed, each a bounded number of times; returns how many were sent now. */
  retryFailed(): Promise<number>;
}

/** A {@link SpendAlertNotifier} that records many alerts at once, as a budget evaluation finds them. */
export interface BatchSpendAlertNotifier extends SpendAlertNotifier {
  /** {@link SpendAlertNotifier.notify} of many alerts, recorded in one transaction: those recorded now, in order. */
  notifyAll(
    alerts: Array<NewSpendAlert & { muted?: boolean }>,
  ): Promise<SpendAlert[]>;
}

/** Notification topics, which users can turn off in their notification settings. */
export const SPEND_ALERT_TOPICS: Record<SpendAlert['kind'], string> = {
  threshold: 'azure-budget',
  anomaly: 'azure-spend-anomaly',
};

/** Options for {@link NotificationSpendAlertNotifier}. */
export interface NotificationSpendAlertNotifierOptions {
  store: BudgetEvaluationStore;
  notifications: NotificationService;
  auditor: AuditorService;
  logger: LoggerService;
  /** Sends of one alert in all, the first included (default 5). */
  maxAttempts?: number;
  /**
   * After how long an alert still `pending` is taken to be abandoned (its replica stopped before it recorded how
   * the send went) and is sent again (default 10 minutes).
   */
  pendingTimeoutMs?: number;
  now?: () => Date;
}

/** Alerts retried per run, at most. */
const RETRY_BATCH = 100;

/** How loud a notification is: a budget reached (or all but) and anomalies are high, the rest normal. */
export function spendAlertSeverity(
  alert: Pick<SpendAlert, 'kind' | 'threshold'>,
): NotificationSeverity {
  if (alert.kind === 'anomaly') return 'high';
  if (alert.threshold?.type === 'actual' && alert.threshold.percent >= 100) {
    return 'high';
  }
  return 'normal';
}

/**
 * {@link SpendAlertNotifier} with the notifications service (`@backstage/plugin-notifications-node`): the alert is
 * recorded first (the store's unique key decides which replica sends it), then sent to its recipients' entity refs
 * (a group's members get it), and its delivery recorded as `sent` or `failed`. The notification's `scope` is the
 * alert's key, so that a retry of a send that reached the notifications backend after all updates that notification
 * rather than adding another. Every alert sent or muted is also an audit event `spend-alert`.
 */
export class NotificationSpendAlertNotifier implements BatchSpendAlertNotifier {
  private readonly maxAttempts: number;
  private readonly pendingTimeoutMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: NotificationSpendAlertNotifierOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.pendingTimeoutMs = options.pendingTimeoutMs ?? 10 * 60_000;
    this.now = options.now ?? (() => new Date());
  }

  async notify(
    alert: NewSpendAlert & { muted?: boolean },
  ): Promise<SpendAlert | undefined> {
    const [recorded] = await this.notifyAll([alert]);
    return recorded;
  }

  async notifyAll(
    alerts: Array<NewSpendAlert & { muted?: boolean }>,
  ): Promise<SpendAlert[]> {
    const { store } = this.options;
    const recorded = await store.recordAlerts(
      alerts.map(({ muted, ...alert }) => ({
        ...alert,
        delivery: muted ? 'muted' : 'pending',
      })),
    );
    const delivered = new Map<string, 'sent' | 'failed'>();
    for (const alert of recorded) {
      if (alert.delivery !== 'muted') {
        delivered.set(alert.id, await this.send(alert));
      }
    }
    const outcome = (delivery: 'sent' | 'failed') =>
      [...delivered].filter(([, d]) => d === delivery).map(([id]) => id);
    await store.setDeliveries(outcome('sent'), 'sent');
    await store.setDeliveries(outcome('failed'), 'failed');
    const result = recorded.map(({ dedupeKey, ...alert }) => ({
      alert: { ...alert, delivery: delivered.get(alert.id) ?? alert.delivery },
      dedupeKey,
    }));
    for (const { alert, dedupeKey } of result) {
      if (alert.delivery !== 'failed') await this.audit(alert, dedupeKey);
    }
    return result.map(({ alert }) => alert);
  }

  async retryFailed(): Promise<number> {
    const { store } = this.options;
    const due = await store.listUndelivered({
      maxAttempts: this.maxAttempts,
      staleBefore: new Date(
        this.now().getTime() - this.pendingTimeoutMs,
      ).toISOString(),
      limit: RETRY_BATCH,
    });
    let sent = 0;
    for (const { attempts, ...alert } of due) {
      // Another replica may be retrying the same alert: the one whose claim moves the attempts on sends it.
      if (!(await store.claimRetry(alert.id, attempts))) continue;
      const delivery = await this.send(alert);
      await store.setDelivery(alert.id, delivery);
      if (delivery === 'sent') {
        sent++;
        const { dedupeKey, ...stored } = alert;
        await this.audit({ ...stored, delivery }, dedupeKey);
      }
    }
    return sent;
  }

  /** Sends an alert as a notification to its recipients; a refusal is logged, for a later retry. */
  private async send(alert: RecordedSpendAlert): Promise<'sent' | 'failed'> {
    const { notifications, logger } = this.options;
    try {
      await notifications.send({
        recipients: { type: 'entity', entityRef: alert.recipients },
        payload: {
          title: alert.title,
          description: alert.description,
          link: alert.link,
          severity: spendAlertSeverity(alert),
          topic: SPEND_ALERT_TOPICS[alert.kind],
          scope: alert.dedupeKey,
        },
      });
      return 'sent';
    } catch (error) {
      logger.warn(
        `Could not send the spend alert '${
          alert.title
        }' to ${alert.recipients.join(', ')}; it is sent again later: ${
          (error as Error).message
        }`,
        { alertId: alert.id, dedupeKey: alert.dedupeKey },
      );
      return 'failed';
    }
  }

  /** An audit event for an alert delivered or muted; it failing never undoes the alert. */
  private async audit(alert: SpendAlert, dedupeKey: string): Promise<void> {
    try {
      const event = await this.options.auditor.createEvent({
        eventId: 'spend-alert',
        severityLevel: 'low',
        meta: {
          alertId: alert.id,
          dedupeKey,
          kind: alert.kind,
          delivery: alert.delivery,
          ...(alert.budgetId ? { budgetId: alert.budgetId } : {}),
          ...(alert.threshold
            ? {
                threshold: `${alert.threshold.type} ${alert.threshold.percent}%`,
              }
            : {}),
          ...(alert.periodStart ? { periodStart: alert.periodStart } : {}),
          ...(alert.day ? { day: alert.day } : {}),
          scopeRef: alert.scopeRef,
          recipients: alert.recipients,
          title: alert.title,
        },
      });
      await event.success();
    } catch (error) {
      this.options.logger.warn(
        `Could not write the audit event of spend alert ${alert.id}: ${
          (error as Error).message
        }`,
      );
    }
  }
}
