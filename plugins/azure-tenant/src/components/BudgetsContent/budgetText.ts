import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  BudgetPeriod,
  BudgetScope,
  BudgetState,
  BudgetThreshold,
} from '@azure-tenant/plugin-azure-tenant-common';

/** What each state is called on screen. */
export const BUDGET_STATE_TEXT: Record<BudgetState, string> = {
  'on-track': 'On track',
  'at-risk': 'At risk',
  over: 'Over',
  'no-data': 'No data',
  'currency-mismatch': 'Currency mismatch',
};

/** What each kind of scope is called on screen. */
export const BUDGET_SCOPE_KIND_TEXT: Record<BudgetScope['kind'], string> = {
  subscription: 'Subscription',
  resourceGroup: 'Resource group',
  entity: 'Catalog entity',
  customGroup: 'Custom group',
};

/** Month names for the first month of quarterly and yearly periods, January first. */
export const MONTH_NAMES = Array.from({ length: 12 }, (_, month) =>
  new Date(Date.UTC(2000, month, 1)).toLocaleString('en-US', {
    month: 'long',
    timeZone: 'UTC',
  }),
);

/** A period in words, e.g. `Monthly`, `Yearly from April`, `2025-01-01 to 2025-12-31`. */
export function budgetPeriodText(period: BudgetPeriod): string {
  switch (period.type) {
    case 'monthly':
      return 'Monthly';
    case 'quarterly':
    case 'yearly': {
      const name = period.type === 'quarterly' ? 'Quarterly' : 'Yearly';
      const startMonth = period.startMonth ?? 1;
      return startMonth === 1
        ? name
        : `${name} from ${MONTH_NAMES[startMonth - 1]}`;
    }
    default:
      return `${period.startDate} to ${period.endDate}`;
  }
}

/** A scope in words, for sorting and where no link can be shown. */
export function budgetScopeText(scope: BudgetScope): string {
  switch (scope.kind) {
    case 'subscription':
      return `Subscription ${scope.subscriptionId}`;
    case 'resourceGroup':
      return `Resource group ${scope.resourceGroup} in ${scope.subscriptionId}`;
    case 'entity':
      return ownerText(scope.entityRef);
    default:
      return `Custom group ${scope.name}`;
  }
}

/** The members of a custom group in words, e.g. `2 subscriptions, 1 tag filter`. */
export function customGroupMembersText(
  scope: Extract<BudgetScope, { kind: 'customGroup' }>,
): string {
  const count = (n: number, noun: string) =>
    `${n} ${noun}${n === 1 ? '' : 's'}`;
  return [
    scope.subscriptionIds?.length &&
      count(scope.subscriptionIds.length, 'subscription'),
    scope.resourceGroups?.length &&
      count(scope.resourceGroups.length, 'resource group'),
    scope.tags?.length && count(scope.tags.length, 'tag filter'),
  ]
    .filter(Boolean)
    .join(', ');
}

/** An owner (or any entity) as people name it: `team-a` for a group of the default namespace, `user:ada`. */
export function ownerText(entityRef: string): string {
  try {
    return humanizeEntityRef(parseEntityRef(entityRef), {
      defaultKind: 'group',
    });
  } catch {
    return entityRef;
  }
}

/** A threshold in words, e.g. `80% actual`, `100% forecast`. */
export function thresholdText(threshold: BudgetThreshold): string {
  return `${threshold.percent}% ${threshold.type}`;
}

/** A percentage as the budget tables show it: whole numbers, e.g. `82%`. */
export function budgetPercentText(percent: number): string {
  return `${Math.round(percent)}%`;
}

/** A time (ISO 8601) in the user's locale. */
export function budgetTimeText(iso: string): string {
  return new Date(iso).toLocaleString();
}
