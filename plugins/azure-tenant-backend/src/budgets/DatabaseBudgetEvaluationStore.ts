import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  BudgetState,
  BudgetThreshold,
  SpendAlert,
} from '@azure-tenant/plugin-azure-tenant-common';
import { chunks } from '../database/batches';
import {
  BudgetEvaluation,
  BudgetEvaluationStore,
  NewSpendAlert,
  RecordedSpendAlert,
  UndeliveredSpendAlert,
} from './BudgetEvaluationStore';

interface EvaluationRow {
  budget_id: string;
  period_start: string;
  period_end: string;
  actual: number;
  forecast: number;
  actual_percent: number;
  forecast_percent: number;
  spend_through: string | null;
  state: string;
  conversions: string;
  problem: string | null;
  evaluated_at: string;
}

interface AlertRow {
  id: string;
  dedupe_key: string;
  kind: string;
  budget_id: string | null;
  budget_name: string | null;
  threshold_type: string | null;
  threshold_percent: number | null;
  period_start: string | null;
  day: string | null;
  scope_ref: string;
  recipients: string;
  title: string;
  description: string;
  link: string;
  delivery: string;
  attempts: number;
  created_at: string;
  updated_at: string;
}

/** Rows per multi-row upsert: 12 columns each, well below SQLite's limits on bound parameters and terms. */
const EVALUATIONS_PER_STATEMENT = 50;

/** Alerts per multi-row insert: 18 columns each, below SQLite's oldest limit of 999 bound parameters. */
const ALERTS_PER_STATEMENT = 50;

function parseJsonArray(text: string | null): string[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

function toEvaluation(row: EvaluationRow): BudgetEvaluation {
  return {
    periodStart: row.period_start,
    periodEnd: row.period_end,
    actual: Number(row.actual),
    forecast: Number(row.forecast),
    actualPercent: Number(row.actual_percent),
    forecastPercent: Number(row.forecast_percent),
    ...(row.spend_through ? { spendThrough: row.spend_through } : {}),
    state: row.state as BudgetState,
    conversions: parseJsonArray(row.conversions),
    ...(row.problem ? { problem: row.problem } : {}),
    evaluatedAt: row.evaluated_at,
  };
}

function toAlert(row: AlertRow): SpendAlert {
  return {
    id: row.id,
    kind: row.kind as SpendAlert['kind'],
    ...(row.budget_id ? { budgetId: row.budget_id } : {}),
    ...(row.budget_name ? { budgetName: row.budget_name } : {}),
    ...(row.threshold_type && row.threshold_percent !== null
      ? {
          threshold: {
            type: row.threshold_type as BudgetThreshold['type'],
            percent: Number(row.threshold_percent),
          },
        }
      : {}),
    ...(row.period_start ? { periodStart: row.period_start } : {}),
    ...(row.day ? { day: row.day } : {}),
    scopeRef: row.scope_ref,
    recipients: parseJsonArray(row.recipients),
    title: row.title,
    description: row.description,
    link: row.link,
    delivery: row.delivery as SpendAlert['delivery'],
    createdAt: row.created_at,
  };
}

/** A `before` filter: an ISO 8601 time, or a page cursor `{time}~{id}`. */
function parseBefore(before: string): { time: string; id?: string } {
  const [time, id] = before.split('~');
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new Error(`Not a time: '${time}'`);
  return { time: new Date(ms).toISOString(), ...(id ? { id } : {}) };
}

/**
 * {@link BudgetEvaluationStore} on the plugin's own database (SQLite or PostgreSQL), on a schema that
 * `migrateDatabase` has brought up to date. Which replica records an alert is decided by the unique `dedupe_key`,
 * and which one retries a failed send by a conditional update of its attempts.
 */
export class DatabaseBudgetEvaluationStore implements BudgetEvaluationStore {
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async saveEvaluations(
    evaluations: Array<BudgetEvaluation & { budgetId: string }>,
  ): Promise<void> {
    if (evaluations.length === 0) return;
    const rows: EvaluationRow[] = evaluations.map(evaluation => ({
      budget_id: evaluation.budgetId,
      period_start: evaluation.periodStart,
      period_end: evaluation.periodEnd,
      actual: evaluation.actual,
      forecast: evaluation.forecast,
      actual_percent: evaluation.actualPercent,
      forecast_percent: evaluation.forecastPercent,
      spend_through: evaluation.spendThrough ?? null,
      state: evaluation.state,
      conversions: JSON.stringify(evaluation.conversions),
      problem: evaluation.problem ?? null,
      evaluated_at: evaluation.evaluatedAt ?? this.now().toISOString(),
    }));
    await this.db.transaction(async trx => {
      for (const chunk of chunks(rows, EVALUATIONS_PER_STATEMENT)) {
        await trx('budget_evaluations')
          .insert(chunk)
          .onConflict('budget_id')
          .merge();
      }
    });
  }

  async getEvaluations(
    budgetIds?: string[],
  ): Promise<Map<string, BudgetEvaluation>> {
    const rows: EvaluationRow[] = [];
    if (budgetIds === undefined) {
      rows.push(...(await this.db<EvaluationRow>('budget_evaluations')));
    } else {
      for (const chunk of chunks(budgetIds)) {
        rows.push(
          ...(await this.db<EvaluationRow>('budget_evaluations').whereIn(
            'budget_id',
            chunk,
          )),
        );
      }
    }
    return new Map(rows.map(row => [row.budget_id, toEvaluation(row)]));
  }

  async recordAlert(alert: NewSpendAlert): Promise<SpendAlert | undefined> {
    const [recorded] = await this.recordAlerts([alert]);
    if (!recorded) return undefined;
    const { dedupeKey: _key, ...stored } = recorded;
    return stored;
  }

  async recordAlerts(alerts: NewSpendAlert[]): Promise<RecordedSpendAlert[]> {
    if (alerts.length === 0) return [];
    const at = this.now().toISOString();
    const rows: AlertRow[] = alerts.map(alert => ({
      id: randomUUID(),
      dedupe_key: alert.dedupeKey,
      kind: alert.kind,
      budget_id: alert.budgetId ?? null,
      budget_name: alert.budgetName ?? null,
      threshold_type: alert.threshold?.type ?? null,
      threshold_percent: alert.threshold?.percent ?? null,
      period_start: alert.periodStart ?? null,
      day: alert.day ?? null,
      scope_ref: alert.scopeRef,
      recipients: JSON.stringify(alert.recipients),
      title: alert.title,
      description: alert.description,
      link: alert.link,
      delivery: alert.delivery,
      // A pending alert is about to be sent: that is its first attempt.
      attempts: alert.delivery === 'pending' ? 1 : 0,
      created_at: at,
      updated_at: at,
    }));
    const ours = new Set(rows.map(row => row.id));
    const recorded = new Map<string, RecordedSpendAlert>();
    await this.db.transaction(async trx => {
      for (const chunk of chunks(rows, ALERTS_PER_STATEMENT)) {
        await trx('spend_alerts')
          .insert(chunk)
          .onConflict('dedupe_key')
          .ignore();
        // Whoever's id is stored under a key recorded it; on both databases, without relying on RETURNING.
        const stored: AlertRow[] = await trx('spend_alerts').whereIn(
          'dedupe_key',
          chunk.map(row => row.dedupe_key),
        );
        for (const row of stored) {
          if (ours.has(row.id)) {
            recorded.set(row.id, {
              ...toAlert(row),
              dedupeKey: row.dedupe_key,
            });
          }
        }
      }
    });
    return rows.flatMap(row => recorded.get(row.id) ?? []);
  }

  async claimRetry(id: string, attempts: number): Promise<boolean> {
    const updated = await this.db('spend_alerts')
      .where({ id, attempts })
      .whereIn('delivery', ['failed', 'pending'])
      .update({
        attempts: attempts + 1,
        delivery: 'pending',
        updated_at: this.now().toISOString(),
      });
    return Number(updated) === 1;
  }

  async setDelivery(
    id: string,
    delivery: SpendAlert['delivery'],
  ): Promise<void> {
    await this.db('spend_alerts')
      .where({ id })
      .update({ delivery, updated_at: this.now().toISOString() });
  }

  async setDeliveries(
    ids: string[],
    delivery: SpendAlert['delivery'],
  ): Promise<void> {
    const updatedAt = this.now().toISOString();
    for (const chunk of chunks(ids)) {
      await this.db('spend_alerts')
        .whereIn('id', chunk)
        .update({ delivery, updated_at: updatedAt });
    }
  }

  async listUndelivered(options: {
    maxAttempts: number;
    staleBefore: string;
    limit: number;
  }): Promise<UndeliveredSpendAlert[]> {
    const rows = await this.db<AlertRow>('spend_alerts')
      .where('attempts', '<', options.maxAttempts)
      .where(query =>
        query
          .where('delivery', 'failed')
          .orWhere(pending =>
            pending
              .where('delivery', 'pending')
              .where('updated_at', '<', options.staleBefore),
          ),
      )
      .orderBy([
        { column: 'created_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(options.limit);
    return rows.map(row => ({
      ...toAlert(row),
      dedupeKey: row.dedupe_key,
      attempts: Number(row.attempts),
    }));
  }

  async listAlerts(filter: {
    budgetIds?: string[];
    kind?: 'threshold' | 'anomaly';
    limit: number;
    before?: string;
  }): Promise<SpendAlert[]> {
    const { budgetIds, kind, limit, before } = filter;
    if (budgetIds?.length === 0) return [];
    const query = this.db<AlertRow>('spend_alerts')
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    if (budgetIds) {
      query.where(inBudgets => {
        for (const chunk of chunks(budgetIds)) {
          inBudgets.orWhereIn('budget_id', chunk);
        }
      });
    }
    if (kind) query.where({ kind });
    if (before) {
      const cursor = parseBefore(before);
      query.where(older => {
        older.where('created_at', '<', cursor.time);
        if (cursor.id) {
          older.orWhere(sameTime =>
            sameTime
              .where('created_at', cursor.time)
              .where('id', '<', cursor.id!),
          );
        }
      });
    }
    return (await query).map(toAlert);
  }

  async crossedThresholds(
    budgetIds: string[],
  ): Promise<
    Map<string, Array<{ periodStart: string; threshold: BudgetThreshold }>>
  > {
    const crossed = new Map<
      string,
      Array<{ periodStart: string; threshold: BudgetThreshold }>
    >();
    for (const chunk of chunks(budgetIds)) {
      const rows = await this.db<AlertRow>('spend_alerts')
        .select(
          'budget_id',
          'period_start',
          'threshold_type',
          'threshold_percent',
        )
        .where({ kind: 'threshold' })
        .whereIn('budget_id', chunk)
        .orderBy(['budget_id', 'period_start', 'threshold_type'])
        .orderBy('threshold_percent');
      for (const row of rows) {
        if (
          !row.budget_id ||
          !row.period_start ||
          !row.threshold_type ||
          row.threshold_percent === null
        ) {
          continue;
        }
        const list = crossed.get(row.budget_id) ?? [];
        list.push({
          periodStart: row.period_start,
          threshold: {
            type: row.threshold_type as BudgetThreshold['type'],
            percent: Number(row.threshold_percent),
          },
        });
        crossed.set(row.budget_id, list);
      }
    }
    return crossed;
  }
}
