import {
  ResourceTagCompliance,
  TagComplianceFigure,
  TagComplianceHistoryPoint,
  TagComplianceStatus,
  TagComplianceSummary,
  TagComplianceTeams,
  TagViolation,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { chunks } from '../../database/batches';
import { insertParameters, isPostgres } from '../../spend/spendRows';
import { compareCodeUnits } from '../../tags/resourceContentHash';
import { ComplianceQuery, ComplianceReader } from '../ComplianceStore';
import {
  ComplianceFigureDelta,
  ComplianceFigureDeltas,
  ComplianceScopeKind,
  CountedComplianceRow,
} from './ComplianceFigureDeltas';

/** A resource's compliance as the evaluator computed it, to store. */
export interface EvaluatedCompliance {
  /** Lower-cased resource id. */
  key: string;
  resourceId: string;
  subscriptionId: string;
  resourceGroup: string;
  type: string;
  name: string;
  /** Lower-case entity ref; undefined when the owner tag names nobody. */
  ownerRef?: string;
  status: TagComplianceStatus;
  violations: TagViolation[];
}

/** What is stored of a resource's compliance, to tell whether a new evaluation changed it. */
export interface StoredComplianceSignature {
  /** Covers every stored field but the time: equal when a write would change nothing. */
  row: string;
  /** Covers what the catalog feed carries (status, and each violation's policy, key and code). */
  feed: string;
}

/** Where the incremental evaluation stands (table `tag_compliance_state`). */
export interface ComplianceEvaluationState {
  /** The highest feed revision whose changes are evaluated. */
  cursor: number;
  /** What every resource's result depends on (policies, owner directory, owner tag key). */
  global?: string;
  /** Each subscription's context fingerprint (sync mode, its tags, its resource groups' tags), by id. */
  subscriptions: Map<string, string>;
  /** ISO 8601: when the last run ended. */
  evaluatedAt?: string;
  /**
   * The UTC day (YYYY-MM-DD) whose figures match the stored results exactly, so that writes can keep them up to date
   * by deltas ({@link FigureUpkeep}); absent when results were written without, until figures are counted afresh.
   */
  figuresDay?: string;
}

/** Asks a write to bring the figures of `day` (UTC, YYYY-MM-DD) up to date with it, in the same transaction. */
export interface FigureUpkeep {
  day: string;
}

/**
 * What the evaluator writes: `DatabaseComplianceStore` is the one writer of `tag_compliance`, `tag_compliance_daily`
 * and `tag_compliance_state`.
 */
export interface ComplianceWriter extends ComplianceReader {
  /** Stored signatures of the resources whose keys sort after `afterKey` and up to `toKey` (both optional). */
  signaturesInRange(range: {
    afterKey?: string;
    toKey?: string;
  }): Promise<Map<string, StoredComplianceSignature>>;
  /** Stored signatures of these resources, by key. */
  signaturesOf(keys: string[]): Promise<Map<string, StoredComplianceSignature>>;
  /** Inserts or replaces these results, evaluated at `at`; with `upkeep`, that day's figures follow. */
  save(
    results: EvaluatedCompliance[],
    at: Date,
    upkeep?: FigureUpkeep,
  ): Promise<void>;
  /** Records that these resources (every resource, without `keys`) were evaluated at `at`, their result unchanged. */
  markEvaluated(at: Date, keys?: string[]): Promise<void>;
  /** Drops the results of these resources (gone from the store); with `upkeep`, that day's figures follow. */
  remove(keys: string[], upkeep?: FigureUpkeep): Promise<void>;
  readState(): Promise<ComplianceEvaluationState>;
  /** Replaces the state, the subscriptions' fingerprints included. */
  saveState(state: ComplianceEvaluationState): Promise<void>;
  /**
   * Counts the figures of every scope afresh and writes them as the history of `at`'s UTC day, replacing those written
   * earlier that day.
   */
  recordDay(at: Date): Promise<void>;
}

interface ComplianceRow {
  resource_key: string;
  resource_id: string;
  subscription_id: string;
  resource_group: string;
  type: string;
  name: string;
  owner_ref: string | null;
  status: string;
  violations: string;
  violation_count: number;
  evaluated_at: string;
}

interface DailyRow {
  day: string;
  scope_kind: string;
  scope_key: string;
  resources: number;
  compliant: number;
  non_compliant: number;
  unknown: number;
  by_policy: string;
}

type ScopeKind = ComplianceScopeKind;

/** The columns a result counts by in the figures. */
const COUNTED_COLUMNS = [
  'resource_key',
  'subscription_id',
  'owner_ref',
  'status',
  'violations',
] as const;

const ROW_COLUMNS = 11;
const DAY_MS = 24 * 60 * 60 * 1000;

function parseViolations(text: string): TagViolation[] {
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function toRow(result: EvaluatedCompliance, at: string): ComplianceRow {
  return {
    resource_key: result.key,
    resource_id: result.resourceId,
    subscription_id: result.subscriptionId,
    resource_group: result.resourceGroup,
    type: result.type,
    name: result.name,
    owner_ref: result.ownerRef ?? null,
    status: result.status,
    violations: JSON.stringify(result.violations),
    violation_count: result.violations.length,
    evaluated_at: at,
  };
}

function rowSignature(
  row: Omit<ComplianceRow, 'evaluated_at' | 'violation_count'>,
): string {
  return JSON.stringify([
    row.resource_id,
    row.subscription_id,
    row.resource_group,
    row.type,
    row.name,
    row.owner_ref,
    row.status,
    row.violations,
  ]);
}

function feedSignature(
  status: string,
  violations: Array<Pick<TagViolation, 'policyId' | 'key' | 'code'>>,
): string {
  return JSON.stringify([
    status,
    violations.map(v => [v.policyId, v.key, v.code]),
  ]);
}

/** The signature a result would have once stored, to compare with {@link ComplianceWriter.signaturesOf}'s. */
export function complianceSignature(
  result: EvaluatedCompliance,
): StoredComplianceSignature {
  const row = toRow(result, '');
  return {
    row: rowSignature(row),
    feed: feedSignature(result.status, result.violations),
  };
}

function storedSignature(row: ComplianceRow): StoredComplianceSignature {
  return {
    row: rowSignature(row),
    feed: feedSignature(row.status, parseViolations(row.violations)),
  };
}

/** What the catalog feed carries of a resource's compliance. */
export function feedCompliance(
  compliance: Pick<ResourceTagCompliance, 'status' | 'violations'>,
) {
  return {
    status: compliance.status,
    violations: compliance.violations.map(({ policyId, key, code }) => ({
      policyId,
      key,
      code,
    })),
  };
}

function toCompliance(row: ComplianceRow): ResourceTagCompliance {
  return {
    resourceId: row.resource_id,
    subscriptionId: row.subscription_id,
    resourceGroup: row.resource_group,
    type: row.type,
    name: row.name,
    ...(row.owner_ref ? { ownerRef: row.owner_ref } : {}),
    status: row.status as TagComplianceStatus,
    violations: parseViolations(row.violations),
    evaluatedAt: row.evaluated_at,
  };
}

function emptyFigure(): TagComplianceFigure {
  return {
    resources: 0,
    compliant: 0,
    nonCompliant: 0,
    unknown: 0,
    byPolicy: {},
  };
}

function withPercent(figure: TagComplianceFigure): TagComplianceFigure {
  const { percent: _percent, ...rest } = figure;
  return figure.resources > 0
    ? {
        ...rest,
        percent: Math.round((figure.compliant / figure.resources) * 1000) / 10,
      }
    : rest;
}

function toHistoryPoint(row: DailyRow): TagComplianceHistoryPoint {
  let byPolicy: Record<string, number> = {};
  try {
    byPolicy = JSON.parse(row.by_policy);
  } catch {
    // A row that cannot be read shows no policy.
  }
  return {
    day: row.day,
    ...withPercent({
      resources: Number(row.resources),
      compliant: Number(row.compliant),
      nonCompliant: Number(row.non_compliant),
      unknown: Number(row.unknown),
      byPolicy,
    }),
  };
}

function withoutDay({
  day: _day,
  ...figure
}: TagComplianceHistoryPoint): TagComplianceFigure {
  return figure;
}

/** A figure's policies as stored: by policy id, in code-unit order, whatever order they were counted in. */
function byPolicyJson(entries: Array<[string, number]>): string {
  return JSON.stringify(
    Object.fromEntries(
      entries
        .filter(([, n]) => n !== 0)
        .sort(([a], [b]) => compareCodeUnits(a, b)),
    ),
  );
}

/** `stored` (or no figure yet) with `delta` added. */
function dailyRowWith(
  day: string,
  stored: DailyRow | undefined,
  delta: ComplianceFigureDelta,
): DailyRow {
  let byPolicy: Record<string, number> = {};
  try {
    byPolicy = stored ? JSON.parse(stored.by_policy) : {};
  } catch {
    // A row that cannot be read is corrected by the next count afresh.
  }
  const policies = new Map(Object.entries(byPolicy));
  for (const [id, n] of delta.byPolicy)
    policies.set(id, (policies.get(id) ?? 0) + n);
  const compliant = Number(stored?.compliant ?? 0) + delta.compliant;
  const nonCompliant = Number(stored?.non_compliant ?? 0) + delta.nonCompliant;
  return {
    day,
    scope_kind: delta.kind,
    scope_key: delta.key,
    resources: compliant + nonCompliant,
    compliant,
    non_compliant: nonCompliant,
    unknown: Number(stored?.unknown ?? 0) + delta.unknown,
    by_policy: byPolicyJson([...policies]),
  };
}

/** The UTC day of `at`, YYYY-MM-DD. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * {@link ComplianceReader} and {@link ComplianceWriter} on the plugin's database (SQLite or PostgreSQL), on a schema that
 * `migrateDatabase` has brought up to date. Figures are counted in SQL (GROUP BY), never by loading every row.
 */
export class DatabaseComplianceStore implements ComplianceWriter {
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // Reading

  async listCompliance(
    query: ComplianceQuery,
  ): Promise<{ items: ResourceTagCompliance[]; hasMore: boolean }> {
    // An empty list would make no condition at all, and match everything.
    if (query.resourceKeys?.length === 0 || query.subscriptionIds?.length === 0)
      return { items: [], hasMore: false };
    const rows = this.db<ComplianceRow>('tag_compliance')
      .orderBy('resource_key')
      .limit(query.limit + 1);
    if (query.subscriptionIds) {
      const ids = query.subscriptionIds;
      rows.where(inIds => {
        for (const batch of chunks(ids))
          inIds.orWhereIn('subscription_id', batch);
      });
    }
    if (query.resourceKeys) {
      const keys = query.resourceKeys;
      rows.where(inKeys => {
        for (const batch of chunks(keys))
          inKeys.orWhereIn('resource_key', batch);
      });
    }
    if (query.ownerRef) rows.where({ owner_ref: query.ownerRef.toLowerCase() });
    if (query.status) rows.where({ status: query.status });
    if (query.afterKey) rows.where('resource_key', '>', query.afterKey);
    if (query.policyId !== undefined) {
      rows.where('violation_count', '>', 0);
      rows.whereRaw(
        `EXISTS (${this.violationPolicies(
          'tag_compliance',
        )} WHERE ${this.policyIdOf()} = ?)`,
        [query.policyId],
      );
    }
    const found = await rows;
    return {
      items: found.slice(0, query.limit).map(toCompliance),
      hasMore: found.length > query.limit,
    };
  }

  async getCompliance(
    resourceKeys: string[],
  ): Promise<Map<string, ResourceTagCompliance>> {
    const result = new Map<string, ResourceTagCompliance>();
    for (const batch of chunks([...new Set(resourceKeys)])) {
      const rows = await this.db<ComplianceRow>('tag_compliance').whereIn(
        'resource_key',
        batch,
      );
      for (const row of rows) result.set(row.resource_key, toCompliance(row));
    }
    return result;
  }

  async summary(
    scope: TagComplianceSummary['scope'],
    days: number,
  ): Promise<TagComplianceSummary> {
    const [kind, key] = this.scopeOf(scope);
    const current = (await this.figures(kind, key)).get(key) ?? emptyFigure();
    const history = await this.history(kind, days, key);
    const state = await this.readState();
    return {
      scope,
      current: withPercent(current),
      history: history.get(key) ?? [],
      ...(state.evaluatedAt ? { evaluatedAt: state.evaluatedAt } : {}),
    };
  }

  async teams(days: number): Promise<TagComplianceTeams> {
    const current = await this.figures('owner');
    const history = await this.history('owner', Math.max(days, 8));
    const weekAgo = utcDay(new Date(this.now().getTime() - 7 * DAY_MS));
    const since = this.firstDay(days);
    const teams = [...current.entries()]
      .sort(([a], [b]) => compareCodeUnits(a, b))
      .map(([ownerRef, figure]) => {
        const points = history.get(ownerRef) ?? [];
        const before = points.find(point => point.day === weekAgo);
        return {
          ownerRef,
          current: withPercent(figure),
          ...(before ? { weekAgo: withoutDay(before) } : {}),
          history: points.filter(point => point.day >= since),
        };
      });
    const unowned = (await this.figures('unowned')).get('') ?? emptyFigure();
    return { teams, unowned: withPercent(unowned) };
  }

  async unownedResourceKeys(subscriptionId: string): Promise<Set<string>> {
    const rows = await this.db('tag_compliance')
      .where({ subscription_id: subscriptionId.toLowerCase() })
      .whereNull('owner_ref')
      .whereNot({ status: 'unknown' })
      .select('resource_key');
    return new Set(rows.map(row => row.resource_key));
  }

  // Writing

  async signaturesInRange(range: {
    afterKey?: string;
    toKey?: string;
  }): Promise<Map<string, StoredComplianceSignature>> {
    const rows = this.db<ComplianceRow>('tag_compliance');
    if (range.afterKey !== undefined)
      rows.where('resource_key', '>', range.afterKey);
    if (range.toKey !== undefined)
      rows.where('resource_key', '<=', range.toKey);
    const result = new Map<string, StoredComplianceSignature>();
    for (const row of await rows)
      result.set(row.resource_key, storedSignature(row));
    return result;
  }

  async signaturesOf(
    keys: string[],
  ): Promise<Map<string, StoredComplianceSignature>> {
    const result = new Map<string, StoredComplianceSignature>();
    for (const batch of chunks([...new Set(keys)])) {
      const rows = await this.db<ComplianceRow>('tag_compliance').whereIn(
        'resource_key',
        batch,
      );
      for (const row of rows)
        result.set(row.resource_key, storedSignature(row));
    }
    return result;
  }

  async save(
    results: EvaluatedCompliance[],
    at: Date,
    upkeep?: FigureUpkeep,
  ): Promise<void> {
    if (results.length === 0) return;
    const evaluatedAt = at.toISOString();
    const rows = results.map(result => toRow(result, evaluatedAt));
    // Knex writes a multi-row insert on SQLite as SELECT … UNION ALL, which SQLite limits to 500 terms.
    const perStatement = Math.min(
      400,
      Math.floor(insertParameters(this.db) / ROW_COLUMNS),
    );
    const columns = Object.keys(rows[0]).filter(c => c !== 'resource_key');
    await this.db.transaction(async tx => {
      const deltas = upkeep ? new ComplianceFigureDeltas() : undefined;
      if (deltas) {
        const keys = rows.map(row => row.resource_key);
        for (const before of await this.countedRows(tx, keys)) {
          deltas.count(before, -1);
        }
        for (const row of rows) deltas.count(row, 1);
      }
      for (const batch of chunks(rows, perStatement)) {
        await tx('tag_compliance')
          .insert(batch)
          .onConflict('resource_key')
          .merge(columns);
      }
      if (deltas && upkeep) await this.applyDeltas(tx, upkeep.day, deltas);
    });
  }

  async markEvaluated(at: Date, keys?: string[]): Promise<void> {
    const evaluatedAt = at.toISOString();
    if (keys === undefined) {
      await this.db('tag_compliance').update({ evaluated_at: evaluatedAt });
      return;
    }
    if (keys.length === 0) return;
    await this.db.transaction(async tx => {
      for (const batch of chunks(keys)) {
        await tx('tag_compliance')
          .whereIn('resource_key', batch)
          .update({ evaluated_at: evaluatedAt });
      }
    });
  }

  async remove(keys: string[], upkeep?: FigureUpkeep): Promise<void> {
    if (keys.length === 0) return;
    await this.db.transaction(async tx => {
      if (upkeep) {
        const deltas = new ComplianceFigureDeltas();
        for (const row of await this.countedRows(tx, keys))
          deltas.count(row, -1);
        await this.applyDeltas(tx, upkeep.day, deltas);
      }
      for (const batch of chunks(keys)) {
        await tx('tag_compliance').whereIn('resource_key', batch).delete();
      }
    });
  }

  /** What the stored results of these keys count for, read in the write's transaction. */
  private async countedRows(
    tx: Knex.Transaction,
    keys: string[],
  ): Promise<CountedComplianceRow[]> {
    const found: CountedComplianceRow[] = [];
    for (const batch of chunks([...new Set(keys)])) {
      found.push(
        ...(await tx('tag_compliance')
          .whereIn('resource_key', batch)
          .select(...COUNTED_COLUMNS)),
      );
    }
    return found;
  }

  /**
   * Adds `deltas` to the figures of `day`. A subscription or owner left without results has no figure that day, as
   * when they are counted afresh; everything and unowned always have one.
   */
  private async applyDeltas(
    tx: Knex.Transaction,
    day: string,
    deltas: ComplianceFigureDeltas,
  ): Promise<void> {
    const changes = deltas.changes();
    if (changes.length === 0) return;
    const stored = new Map<string, DailyRow>();
    const byKind = new Map<ScopeKind, string[]>();
    for (const { kind, key } of changes) {
      byKind.set(kind, [...(byKind.get(kind) ?? []), key]);
    }
    for (const [kind, keys] of byKind) {
      for (const batch of chunks(keys)) {
        const rows: DailyRow[] = await tx('tag_compliance_daily')
          .where({ day, scope_kind: kind })
          .whereIn('scope_key', batch);
        for (const row of rows)
          stored.set(`${row.scope_kind}\u0000${row.scope_key}`, row);
      }
    }
    const upserts: DailyRow[] = [];
    const emptied = new Map<ScopeKind, string[]>();
    for (const delta of changes) {
      const row = dailyRowWith(
        day,
        stored.get(`${delta.kind}\u0000${delta.key}`),
        delta,
      );
      const counted = row.compliant + row.non_compliant + row.unknown;
      if (
        counted === 0 &&
        (delta.kind === 'subscription' || delta.kind === 'owner')
      ) {
        emptied.set(delta.kind, [
          ...(emptied.get(delta.kind) ?? []),
          delta.key,
        ]);
      } else {
        upserts.push(row);
      }
    }
    for (const [kind, keys] of emptied) {
      for (const batch of chunks(keys)) {
        await tx('tag_compliance_daily')
          .where({ day, scope_kind: kind })
          .whereIn('scope_key', batch)
          .delete();
      }
    }
    for (const batch of chunks(upserts, this.dailyRowsPerStatement())) {
      await tx('tag_compliance_daily')
        .insert(batch)
        .onConflict(['day', 'scope_kind', 'scope_key'])
        .merge([
          'resources',
          'compliant',
          'non_compliant',
          'unknown',
          'by_policy',
        ]);
    }
  }

  private dailyRowsPerStatement(): number {
    return Math.min(400, Math.floor(insertParameters(this.db) / 8));
  }

  async readState(): Promise<ComplianceEvaluationState> {
    const rows: Array<{ name: string; value: string }> = await this.db(
      'tag_compliance_state',
    ).select('name', 'value');
    const state: ComplianceEvaluationState = {
      cursor: 0,
      subscriptions: new Map(),
    };
    for (const { name, value } of rows) {
      if (name === 'cursor') state.cursor = Number(value);
      else if (name === 'global') state.global = value;
      else if (name === 'evaluated-at') state.evaluatedAt = value;
      else if (name === 'figures-day') state.figuresDay = value;
      else if (name.startsWith('subscription:'))
        state.subscriptions.set(name.slice('subscription:'.length), value);
    }
    return state;
  }

  async saveState(state: ComplianceEvaluationState): Promise<void> {
    const rows = [
      { name: 'cursor', value: String(state.cursor) },
      ...(state.global !== undefined
        ? [{ name: 'global', value: state.global }]
        : []),
      ...(state.evaluatedAt !== undefined
        ? [{ name: 'evaluated-at', value: state.evaluatedAt }]
        : []),
      ...(state.figuresDay !== undefined
        ? [{ name: 'figures-day', value: state.figuresDay }]
        : []),
      ...[...state.subscriptions].map(([id, fingerprint]) => ({
        name: `subscription:${id}`,
        value: fingerprint,
      })),
    ];
    await this.db.transaction(async tx => {
      await tx('tag_compliance_state').delete();
      for (const batch of chunks(rows, 200)) {
        await tx('tag_compliance_state').insert(batch);
      }
    });
  }

  async recordDay(at: Date): Promise<void> {
    const day = utcDay(at);
    const rows: DailyRow[] = [];
    const add = (
      kind: ScopeKind,
      figures: Map<string, TagComplianceFigure>,
    ) => {
      for (const [key, figure] of figures) {
        rows.push({
          day,
          scope_kind: kind,
          scope_key: key,
          resources: figure.resources,
          compliant: figure.compliant,
          non_compliant: figure.nonCompliant,
          unknown: figure.unknown,
          by_policy: byPolicyJson(Object.entries(figure.byPolicy)),
        });
      }
    };
    const scopes = await this.figuresOfEveryScope();
    add('all', scopes.all);
    add('subscription', scopes.subscription);
    add('owner', scopes.owner);
    add('unowned', scopes.unowned);
    await this.db.transaction(async tx => {
      // A scope without resources any more has no figure today.
      await tx('tag_compliance_daily').where({ day }).delete();
      for (const batch of chunks(rows, this.dailyRowsPerStatement())) {
        await tx('tag_compliance_daily').insert(batch);
      }
    });
  }

  // Figures

  /** The SQL of a scope: which rows it counts, and the column that names its scopes. */
  private scopeSql(kind: ScopeKind): { column?: string; where?: string } {
    switch (kind) {
      case 'subscription':
        return { column: 'tc.subscription_id' };
      case 'owner':
        return { column: 'tc.owner_ref', where: 'tc.owner_ref IS NOT NULL' };
      case 'unowned':
        return { where: "tc.owner_ref IS NULL AND tc.status <> 'unknown'" };
      default:
        return {};
    }
  }

  private scopeOf(scope: TagComplianceSummary['scope']): [ScopeKind, string] {
    if (scope.kind === 'subscription')
      return ['subscription', scope.subscriptionId.toLowerCase()];
    if (scope.kind === 'owner') return ['owner', scope.ownerRef.toLowerCase()];
    return ['all', ''];
  }

  /** A subquery's FROM over a row's violations, one row per violation. */
  private violationPolicies(table: string): string {
    return isPostgres(this.db)
      ? `SELECT 1 FROM json_array_elements(${table}.violations::json) AS v`
      : `SELECT 1 FROM json_each(${table}.violations) AS v`;
  }

  private policyIdOf(): string {
    return isPostgres(this.db)
      ? "v->>'policyId'"
      : "json_extract(v.value, '$.policyId')";
  }

  /**
   * The current figures of every scope, from one pass over the results grouped by subscription and owner: each
   * resource is in exactly one such group, so the groups add up to every scope.
   */
  private async figuresOfEveryScope(): Promise<
    Record<ScopeKind, Map<string, TagComplianceFigure>>
  > {
    const counts = rowsOf<{
      subscription_id: string;
      owner_ref: string | null;
      status: string;
      n: number | string;
    }>(
      await this.db.raw(
        'SELECT subscription_id, owner_ref, status, count(*) AS n FROM tag_compliance GROUP BY subscription_id, owner_ref, status',
      ),
    );
    const violations = isPostgres(this.db)
      ? 'CROSS JOIN LATERAL json_array_elements(tc.violations::json) AS v'
      : ', json_each(tc.violations) AS v';
    const byPolicy = rowsOf<{
      subscription_id: string;
      owner_ref: string | null;
      policy_id: string | null;
      n: number | string;
    }>(
      await this.db.raw(
        `SELECT tc.subscription_id AS subscription_id, tc.owner_ref AS owner_ref, ${this.policyIdOf()} AS policy_id, count(DISTINCT tc.resource_key) AS n FROM tag_compliance tc ${violations} WHERE tc.violation_count > 0 GROUP BY tc.subscription_id, tc.owner_ref, ${this.policyIdOf()}`,
      ),
    );
    const scopes: Record<ScopeKind, Map<string, TagComplianceFigure>> = {
      all: new Map([['', emptyFigure()]]),
      subscription: new Map(),
      owner: new Map(),
      unowned: new Map([['', emptyFigure()]]),
    };
    const figuresOf = (subscriptionId: string, ownerRef: string | null) => {
      const of = (kind: ScopeKind, key: string) => {
        let figure = scopes[kind].get(key);
        if (!figure) {
          figure = emptyFigure();
          scopes[kind].set(key, figure);
        }
        return figure;
      };
      return [
        of('all', ''),
        of('subscription', subscriptionId),
        ownerRef === null ? of('unowned', '') : of('owner', ownerRef),
      ];
    };
    for (const row of counts) {
      const n = Number(row.n);
      for (const figure of figuresOf(row.subscription_id, row.owner_ref)) {
        // Unowned counts only resources whose tags are kept: an unknown one may well have an owner.
        if (
          row.status === 'unknown' &&
          row.owner_ref === null &&
          figure === scopes.unowned.get('')
        )
          continue;
        if (row.status === 'compliant') figure.compliant += n;
        else if (row.status === 'non-compliant') figure.nonCompliant += n;
        else figure.unknown += n;
        figure.resources = figure.compliant + figure.nonCompliant;
      }
    }
    for (const row of byPolicy) {
      if (row.policy_id === null || row.policy_id === undefined) continue;
      for (const figure of figuresOf(row.subscription_id, row.owner_ref)) {
        figure.byPolicy[row.policy_id] =
          (figure.byPolicy[row.policy_id] ?? 0) + Number(row.n);
      }
    }
    return scopes;
  }

  /** The current figures of the scopes of a kind (of one scope, with `key`), by scope key ('' for all, unowned). */
  private async figures(
    kind: ScopeKind,
    key?: string,
  ): Promise<Map<string, TagComplianceFigure>> {
    const { column, where } = this.scopeSql(kind);
    const scopeKey = column ?? "''";
    const conditions: string[] = [];
    const bindings: string[] = [];
    if (where) conditions.push(where);
    if (column && key !== undefined) {
      conditions.push(`${column} = ?`);
      bindings.push(key);
    }
    const whereSql = conditions.length
      ? `WHERE ${conditions.join(' AND ')}`
      : '';
    // PostgreSQL refuses a constant in GROUP BY: scopes without a column group by the other terms alone.
    const groupBy = column ? `${column}, ` : '';
    const counts = rowsOf<{
      scope_key: string;
      status: string;
      n: number | string;
    }>(
      await this.db.raw(
        `SELECT ${scopeKey} AS scope_key, tc.status AS status, count(*) AS n FROM tag_compliance tc ${whereSql} GROUP BY ${groupBy}tc.status`,
        bindings,
      ),
    );
    const violations = isPostgres(this.db)
      ? 'CROSS JOIN LATERAL json_array_elements(tc.violations::json) AS v'
      : ', json_each(tc.violations) AS v';
    const policyConditions = [...conditions, 'tc.violation_count > 0'];
    const byPolicy = rowsOf<{
      scope_key: string;
      policy_id: string | null;
      n: number | string;
    }>(
      await this.db.raw(
        `SELECT ${scopeKey} AS scope_key, ${this.policyIdOf()} AS policy_id, count(DISTINCT tc.resource_key) AS n FROM tag_compliance tc ${violations} WHERE ${policyConditions.join(
          ' AND ',
        )} GROUP BY ${groupBy}${this.policyIdOf()}`,
        bindings,
      ),
    );
    const result = new Map<string, TagComplianceFigure>();
    const figureOf = (scope: string) => {
      let figure = result.get(scope);
      if (!figure) {
        figure = emptyFigure();
        result.set(scope, figure);
      }
      return figure;
    };
    for (const row of counts) {
      const figure = figureOf(row.scope_key);
      const n = Number(row.n);
      if (row.status === 'compliant') figure.compliant += n;
      else if (row.status === 'non-compliant') figure.nonCompliant += n;
      else figure.unknown += n;
      figure.resources = figure.compliant + figure.nonCompliant;
    }
    for (const row of byPolicy) {
      if (row.policy_id === null || row.policy_id === undefined) continue;
      figureOf(row.scope_key).byPolicy[row.policy_id] = Number(row.n);
    }
    return result;
  }

  private firstDay(days: number): string {
    return utcDay(
      new Date(this.now().getTime() - (Math.max(1, days) - 1) * DAY_MS),
    );
  }

  /** The daily figures of the scopes of a kind (one scope, with `key`) over the last `days` days, oldest first. */
  private async history(
    kind: ScopeKind,
    days: number,
    key?: string,
  ): Promise<Map<string, TagComplianceHistoryPoint[]>> {
    const rows = this.db<DailyRow>('tag_compliance_daily')
      .where({ scope_kind: kind })
      .where('day', '>=', this.firstDay(days))
      .orderBy('day');
    if (key !== undefined) rows.where({ scope_key: key });
    const result = new Map<string, TagComplianceHistoryPoint[]>();
    for (const row of await rows) {
      const points = result.get(row.scope_key) ?? [];
      points.push(toHistoryPoint(row));
      result.set(row.scope_key, points);
    }
    return result;
  }
}

/** The rows of a raw query's result, on either database. */
function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? result : (result as { rows: T[] }).rows;
}
