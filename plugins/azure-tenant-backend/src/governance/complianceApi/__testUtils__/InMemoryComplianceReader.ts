import {
  ResourceTagCompliance,
  TagComplianceFigure,
  TagComplianceSummary,
  TagComplianceTeams,
} from '@azure-tenant/plugin-azure-tenant-common';
import { ComplianceQuery, ComplianceReader } from '../../ComplianceStore';

/** The figure of some resources, as the evaluator counts it. */
export function figureOf(items: ResourceTagCompliance[]): TagComplianceFigure {
  const compliant = items.filter(i => i.status === 'compliant').length;
  const nonCompliant = items.filter(i => i.status === 'non-compliant').length;
  const resources = compliant + nonCompliant;
  const byPolicy: Record<string, number> = {};
  for (const item of items) {
    for (const policyId of new Set(item.violations.map(v => v.policyId))) {
      byPolicy[policyId] = (byPolicy[policyId] ?? 0) + 1;
    }
  }
  return {
    resources,
    compliant,
    nonCompliant,
    unknown: items.length - resources,
    ...(resources > 0
      ? { percent: Math.round((compliant / resources) * 1000) / 10 }
      : {}),
    byPolicy,
  };
}

/** A {@link ComplianceReader} over a list of evaluated resources, with no history: for the operations' tests. */
export class InMemoryComplianceReader implements ComplianceReader {
  constructor(readonly items: ResourceTagCompliance[]) {}

  private sorted() {
    return [...this.items].sort((a, b) =>
      a.resourceId.toLowerCase() < b.resourceId.toLowerCase() ? -1 : 1,
    );
  }

  async listCompliance(query: ComplianceQuery) {
    const matches = this.sorted().filter(
      item =>
        (!query.subscriptionIds ||
          query.subscriptionIds.includes(item.subscriptionId)) &&
        (!query.ownerRef || item.ownerRef === query.ownerRef) &&
        (!query.policyId ||
          item.violations.some(v => v.policyId === query.policyId)) &&
        (!query.status || item.status === query.status) &&
        (!query.resourceKeys ||
          query.resourceKeys.includes(item.resourceId.toLowerCase())) &&
        (!query.afterKey || item.resourceId.toLowerCase() > query.afterKey),
    );
    return {
      items: matches.slice(0, query.limit),
      hasMore: matches.length > query.limit,
    };
  }

  async getCompliance(resourceKeys: string[]) {
    return new Map(
      this.items
        .filter(item => resourceKeys.includes(item.resourceId.toLowerCase()))
        .map(item => [item.resourceId.toLowerCase(), item]),
    );
  }

  async summary(
    scope: TagComplianceSummary['scope'],
    _days: number,
  ): Promise<TagComplianceSummary> {
    const inScope = (item: ResourceTagCompliance) => {
      if (scope.kind === 'subscription') {
        return item.subscriptionId === scope.subscriptionId;
      }
      return scope.kind === 'owner' ? item.ownerRef === scope.ownerRef : true;
    };
    const items = this.items.filter(inScope);
    return { scope, current: figureOf(items), history: [] };
  }

  async teams(_days: number): Promise<TagComplianceTeams> {
    const owners = [
      ...new Set(this.items.flatMap(item => item.ownerRef ?? [])),
    ].sort();
    return {
      teams: owners.map(ownerRef => ({
        ownerRef,
        current: figureOf(this.items.filter(i => i.ownerRef === ownerRef)),
        history: [],
      })),
      unowned: figureOf(this.items.filter(i => !i.ownerRef)),
    };
  }

  async unownedResourceKeys(subscriptionId: string) {
    return new Set(
      this.items
        .filter(
          item =>
            item.subscriptionId === subscriptionId &&
            !item.ownerRef &&
            item.status !== 'unknown',
        )
        .map(item => item.resourceId.toLowerCase()),
    );
  }
}
