/** The scopes a figure is kept for (`tag_compliance_daily.scope_kind`). */
export type ComplianceScopeKind = 'all' | 'subscription' | 'owner' | 'unowned';

/** What a stored result counts for in the figures. */
export interface CountedComplianceRow {
  subscription_id: string;
  owner_ref: string | null;
  status: string;
  /** JSON array of TagViolation. */
  violations: string;
}

/** How one scope's figure changes: added to its counts, policy by policy. */
export interface ComplianceFigureDelta {
  kind: ComplianceScopeKind;
  key: string;
  compliant: number;
  nonCompliant: number;
  unknown: number;
  byPolicy: Map<string, number>;
}

function policyIdsOf(violations: string): string[] {
  try {
    const parsed = JSON.parse(violations);
    if (!Array.isArray(parsed)) return [];
    const ids = new Set<string>();
    for (const violation of parsed) {
      const id = violation?.policyId;
      if (id !== null && id !== undefined) ids.add(String(id));
    }
    return [...ids];
  } catch {
    return [];
  }
}

/**
 * The change to every scope's figure that a set of writes makes: each result written adds what it counts for and
 * takes away what the row it replaces counted for. It counts as `DatabaseComplianceStore`'s grouped pass does, so that
 * a day's figures kept by deltas equal a count afresh: a result counts once in everything, once in its subscription,
 * and once in its owner's scope or else in the unowned one (where an unknown result does not count); a policy counts
 * a resource once however many of its violations name it.
 */
export class ComplianceFigureDeltas {
  private readonly deltas = new Map<string, ComplianceFigureDelta>();

  /** Counts `row` in (`sign` 1) or out of (`sign` -1) the figures. */
  count(row: CountedComplianceRow, sign: 1 | -1): void {
    const policyIds = policyIdsOf(row.violations);
    const scopes: Array<[ComplianceScopeKind, string]> = [
      ['all', ''],
      ['subscription', row.subscription_id],
      row.owner_ref === null ? ['unowned', ''] : ['owner', row.owner_ref],
    ];
    for (const [kind, key] of scopes) {
      const delta = this.deltaOf(kind, key);
      // Unowned counts only resources whose tags are kept: an unknown one may well have an owner.
      if (!(kind === 'unowned' && row.status === 'unknown')) {
        if (row.status === 'compliant') delta.compliant += sign;
        else if (row.status === 'non-compliant') delta.nonCompliant += sign;
        else delta.unknown += sign;
      }
      for (const id of policyIds) {
        delta.byPolicy.set(id, (delta.byPolicy.get(id) ?? 0) + sign);
      }
    }
  }

  /** The scopes whose figure changes, with how; scopes whose changes cancel out are left out. */
  changes(): ComplianceFigureDelta[] {
    return [...this.deltas.values()]
      .map(delta => ({
        ...delta,
        byPolicy: new Map([...delta.byPolicy].filter(([, n]) => n !== 0)),
      }))
      .filter(
        delta =>
          delta.compliant !== 0 ||
          delta.nonCompliant !== 0 ||
          delta.unknown !== 0 ||
          delta.byPolicy.size > 0,
      );
  }

  private deltaOf(kind: ComplianceScopeKind, key: string) {
    const id = `${kind}\u0000${key}`;
    let delta = this.deltas.get(id);
    if (!delta) {
      delta = {
        kind,
        key,
        compliant: 0,
        nonCompliant: 0,
        unknown: 0,
        byPolicy: new Map(),
      };
      this.deltas.set(id, delta);
    }
    return delta;
  }
}
