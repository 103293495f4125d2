import { parseEntityRef } from '@backstage/catalog-model';
import {
  azureSubscriptionEntityRef,
  Budget,
  BudgetThreshold,
} from '@azure-tenant/plugin-azure-tenant-common';
import { BudgetEvaluation, NewSpendAlert } from './BudgetEvaluationStore';
import { budgetReadEntityRef } from './budgetAccess';

const money = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const wholeMoney = new Intl.NumberFormat('en-US', {
  maximumFractionDigits: 2,
});

/** An amount as people read it: `8,210.55`, and a round budget as `10,000`. */
export function formatAmount(amount: number): string {
  return Number.isInteger(amount)
    ? wholeMoney.format(amount)
    : money.format(amount);
}

/** A percentage rounded down to a tenth, so that a threshold crossed never reads as less than it is. */
function formatPercent(percent: number): string {
  return String(Math.floor(percent * 10 + 1e-9) / 10);
}

/** The portal page of an entity: its Spend tab, or for a group or user (whose page has the Spend card) its page. */
function entityPageLink(entityRef: string, tab?: 'spend'): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  const base = `/catalog/${encodeURIComponent(
    namespace.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}`;
  const isOwner = ['group', 'user'].includes(kind.toLocaleLowerCase('en-US'));
  return tab && !isOwner ? `${base}/${tab}` : base;
}

/**
 * Where a budget's alert leads: the Spend tab of its scope's entity (the subscription's, for a subscription or a
 * resource group), the page of a group or user (whose Spend and Budgets cards are there), or for a custom group
 * its owner's page.
 */
export function budgetLink(budget: Budget): string {
  const { scope } = budget;
  switch (scope.kind) {
    case 'subscription':
    case 'resourceGroup':
      return entityPageLink(
        azureSubscriptionEntityRef(scope.subscriptionId),
        'spend',
      );
    case 'entity':
      return entityPageLink(scope.entityRef, 'spend');
    default:
      return entityPageLink(budget.owner);
  }
}

/** A budget's scope in words. */
export function describeScope(budget: Budget): string {
  const { scope } = budget;
  switch (scope.kind) {
    case 'subscription':
      return `subscription ${scope.subscriptionId}`;
    case 'resourceGroup':
      return `resource group ${scope.resourceGroup} of subscription ${scope.subscriptionId}`;
    case 'entity':
      return `${scope.entityRef} and what it owns`;
    default:
      return `custom group '${scope.name}'`;
  }
}

/** The key under which a threshold of a budget's period is alerted once. */
export function thresholdAlertKey(
  budgetId: string,
  periodStart: string,
  threshold: BudgetThreshold,
): string {
  return `threshold:${budgetId}:${periodStart}:${threshold.type}:${threshold.percent}`;
}

/** The alert of a threshold crossed, with the figures, for the budget's owner. */
export function thresholdAlert(
  budget: Budget,
  evaluation: BudgetEvaluation,
  threshold: BudgetThreshold,
): NewSpendAlert {
  const { currency } = budget;
  const amount = `${formatAmount(budget.amount)} ${currency}`;
  const actual = `${formatAmount(evaluation.actual)} ${currency}`;
  const forecast = `${formatAmount(evaluation.forecast)} ${currency}`;
  const through = evaluation.spendThrough ?? evaluation.periodStart;
  // The threshold leads the title: when spend jumps past several at once, each notification says which it is for.
  const title =
    threshold.type === 'actual'
      ? `Budget '${budget.name}' passed ${threshold.percent}%: ${formatPercent(
          evaluation.actualPercent,
        )}% (${formatAmount(evaluation.actual)} of ${amount}) on ${through}`
      : `Budget '${budget.name}' is forecast past ${
          threshold.percent
        }%: ${formatPercent(evaluation.forecastPercent)}% (${formatAmount(
          evaluation.forecast,
        )} of ${amount}) by ${evaluation.periodEnd}`;
  const description = [
    `Spend of ${describeScope(budget)} from ${
      evaluation.periodStart
    } through ${through}: ${actual}; forecast for the period to ${
      evaluation.periodEnd
    }: ${forecast}.`,
    `Threshold: ${threshold.percent}% of ${threshold.type} spend against a budget of ${amount}.`,
    ...evaluation.conversions.map(note => `${note}.`),
  ].join(' ');
  return {
    dedupeKey: thresholdAlertKey(budget.id, evaluation.periodStart, threshold),
    kind: 'threshold',
    budgetId: budget.id,
    budgetName: budget.name,
    threshold,
    periodStart: evaluation.periodStart,
    scopeRef: budgetReadEntityRef(budget),
    recipients: [budget.owner],
    title,
    description,
    link: budgetLink(budget),
    delivery: 'pending',
  };
}
