import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  BudgetInput,
  BudgetPeriod,
  BudgetScope,
  BudgetThreshold,
} from '@azure-tenant/plugin-azure-tenant-common';

/** A threshold as it is typed: the percent stays text until the budget is saved. */
export interface ThresholdDraft {
  type: BudgetThreshold['type'];
  percent: string;
}

/**
 * A budget as the dialog holds it while the user types. Every scope kind keeps its own fields, so that switching the
 * kind back and forth loses nothing.
 */
export interface BudgetDraft {
  name: string;
  scopeKind: BudgetScope['kind'];
  subscriptionId: string;
  resourceGroup: string;
  entityRef: string;
  groupName: string;
  groupSubscriptionIds: string[];
  groupResourceGroups: Array<{ subscriptionId: string; resourceGroup: string }>;
  groupTags: Array<{ key: string; value: string }>;
  amount: string;
  /** `undefined` until the user picks one: the scope's currency (or USD) applies meanwhile. */
  currency?: string;
  periodType: BudgetPeriod['type'];
  startMonth: number;
  startDate: string;
  endDate: string;
  thresholds: ThresholdDraft[];
  owner: string;
}

/** The fields a problem can be shown next to. */
export type BudgetDraftField =
  | 'name'
  | 'subscriptionId'
  | 'resourceGroup'
  | 'entityRef'
  | 'groupName'
  | 'groupMembers'
  | 'groupResourceGroups'
  | 'groupTags'
  | 'amount'
  | 'currency'
  | 'startDate'
  | 'endDate'
  | 'thresholds'
  | 'owner';

/** What is wrong with a draft, one sentence per field. */
export type BudgetDraftProblems = Partial<Record<BudgetDraftField, string>>;

/** The thresholds a new budget starts with; the backend's defaults too. */
export const DEFAULT_THRESHOLDS: BudgetThreshold[] = [
  { type: 'actual', percent: 50 },
  { type: 'actual', percent: 80 },
  { type: 'actual', percent: 100 },
  { type: 'forecast', percent: 100 },
];

/** The currency of a budget whose scope has no known spend. */
export const FALLBACK_CURRENCY = 'USD';

// The server's limits (plugins/azure-tenant-backend/src/budgets/budgetInput.ts), checked here first so that the user
// sees them next to the field; the server's own 400 is still shown as it is.
const MAX_NAME_LENGTH = 200;
const MAX_AMOUNT = 1e12;
const MAX_THRESHOLDS = 10;
const MAX_PERCENT = 1000;
const MAX_CUSTOM_PERIOD_YEARS = 5;
const MAX_RESOURCE_GROUP_LENGTH = 90;
// Azure's rule for resource group names: letters, digits, underscores, hyphens, periods and parentheses, not ending
// in a period.
const RESOURCE_GROUP_PATTERN = /^[-\w.()\p{L}]+$/u;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A draft from a budget being edited, or from what a caller fills in for a new one. */
export function budgetDraftOf(initial: Partial<BudgetInput> = {}): BudgetDraft {
  const scope = initial.scope;
  const period = initial.period;
  return {
    name: initial.name ?? '',
    scopeKind: scope?.kind ?? 'subscription',
    subscriptionId:
      scope?.kind === 'subscription' || scope?.kind === 'resourceGroup'
        ? scope.subscriptionId
        : '',
    resourceGroup: scope?.kind === 'resourceGroup' ? scope.resourceGroup : '',
    entityRef: scope?.kind === 'entity' ? scope.entityRef : '',
    groupName: scope?.kind === 'customGroup' ? scope.name : '',
    groupSubscriptionIds:
      scope?.kind === 'customGroup' ? [...(scope.subscriptionIds ?? [])] : [],
    groupResourceGroups:
      scope?.kind === 'customGroup'
        ? (scope.resourceGroups ?? []).map(rg => ({ ...rg }))
        : [],
    groupTags:
      scope?.kind === 'customGroup'
        ? (scope.tags ?? []).map(tag => ({
            key: tag.key,
            value: tag.value ?? '',
          }))
        : [],
    amount: initial.amount !== undefined ? String(initial.amount) : '',
    currency: initial.currency,
    periodType: period?.type ?? 'monthly',
    startMonth:
      period?.type === 'quarterly' || period?.type === 'yearly'
        ? period.startMonth ?? 1
        : 1,
    startDate: period?.type === 'custom' ? period.startDate : '',
    endDate: period?.type === 'custom' ? period.endDate : '',
    thresholds: (initial.thresholds ?? DEFAULT_THRESHOLDS).map(t => ({
      type: t.type,
      percent: String(t.percent),
    })),
    owner: initial.owner ?? '',
  };
}

/**
 * The scope a draft describes, once it names one (fields may still be wrong); `undefined` while its kind's fields
 * are empty. Used to find the scope's spend currency.
 */
export function draftScope(draft: BudgetDraft): BudgetScope | undefined {
  switch (draft.scopeKind) {
    case 'subscription':
      return draft.subscriptionId.trim()
        ? { kind: 'subscription', subscriptionId: draft.subscriptionId.trim() }
        : undefined;
    case 'resourceGroup':
      return draft.subscriptionId.trim() && draft.resourceGroup.trim()
        ? {
            kind: 'resourceGroup',
            subscriptionId: draft.subscriptionId.trim(),
            resourceGroup: draft.resourceGroup.trim(),
          }
        : undefined;
    case 'entity': {
      const entityRef = normalizeEntityRef(draft.entityRef);
      return entityRef ? { kind: 'entity', entityRef } : undefined;
    }
    default: {
      const subscriptionIds = draft.groupSubscriptionIds
        .map(id => id.trim())
        .filter(Boolean);
      const resourceGroups = draft.groupResourceGroups
        .map(rg => ({
          subscriptionId: rg.subscriptionId.trim(),
          resourceGroup: rg.resourceGroup.trim(),
        }))
        .filter(rg => rg.subscriptionId || rg.resourceGroup);
      const tags = draft.groupTags
        .map(tag => ({ key: tag.key.trim(), value: tag.value }))
        .filter(tag => tag.key || tag.value)
        .map(tag => (tag.value === '' ? { key: tag.key } : tag));
      return {
        kind: 'customGroup',
        name: draft.groupName.trim(),
        ...(subscriptionIds.length > 0 && { subscriptionIds }),
        ...(resourceGroups.length > 0 && { resourceGroups }),
        ...(tags.length > 0 && { tags }),
      };
    }
  }
}

/**
 * Checks a draft the way the backend will, and builds the {@link BudgetInput} to send when nothing is wrong.
 *
 * @param defaultCurrency - the currency shown while the user has not picked one.
 */
export function checkBudgetDraft(
  draft: BudgetDraft,
  defaultCurrency: string,
): { input?: BudgetInput; problems: BudgetDraftProblems } {
  const problems: BudgetDraftProblems = {};

  const name = draft.name.trim();
  if (!name) {
    problems.name = 'Give the budget a name';
  } else if (name.length > MAX_NAME_LENGTH) {
    problems.name = `At most ${MAX_NAME_LENGTH} characters`;
  }

  checkScope(draft, problems);

  const amount = Number(draft.amount);
  if (draft.amount.trim() === '' || !Number.isFinite(amount) || amount < 0.01) {
    problems.amount = 'The amount must be a number of at least 0.01';
  } else if (amount > MAX_AMOUNT) {
    problems.amount = 'The amount must be at most 1,000,000,000,000';
  }

  const currency = draft.currency ?? defaultCurrency;
  if (!CURRENCY_PATTERN.test(currency)) {
    problems.currency = 'An ISO 4217 code of three capital letters, e.g. USD';
  }

  const period = checkPeriod(draft, problems);
  const thresholds = checkThresholds(draft.thresholds, problems);

  let owner: string | undefined;
  if (draft.owner.trim()) {
    owner = normalizeEntityRef(draft.owner, 'group');
    const kind = owner && parseEntityRef(owner).kind.toLocaleLowerCase('en-US');
    if (!owner || (kind !== 'group' && kind !== 'user')) {
      problems.owner = 'A group or user entity ref, e.g. group:default/team-a';
    }
  } else if (draft.scopeKind === 'customGroup') {
    problems.owner = 'A custom group needs an owner to notify';
  }

  const scope = draftScope(draft);
  if (Object.keys(problems).length > 0 || !scope || !period || !thresholds) {
    return { problems };
  }
  return {
    problems,
    input: {
      name,
      scope,
      amount,
      currency,
      period,
      thresholds,
      ...(owner && { owner }),
    },
  };
}

/** An entity ref in its full form, or `undefined` when it cannot be parsed (a kind is needed unless defaulted). */
export function normalizeEntityRef(
  ref: string,
  defaultKind?: string,
): string | undefined {
  const trimmed = ref.trim();
  if (!trimmed) {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(trimmed, { defaultKind, defaultNamespace: 'default' }),
    );
  } catch {
    return undefined;
  }
}

function checkScope(draft: BudgetDraft, problems: BudgetDraftProblems) {
  switch (draft.scopeKind) {
    case 'subscription':
      if (!draft.subscriptionId.trim()) {
        problems.subscriptionId = 'Pick the subscription the budget covers';
      }
      return;
    case 'resourceGroup': {
      if (!draft.subscriptionId.trim()) {
        problems.subscriptionId = 'Pick the subscription of the resource group';
      }
      const problem = resourceGroupProblem(draft.resourceGroup);
      if (problem) {
        problems.resourceGroup = problem;
      }
      return;
    }
    case 'entity':
      if (!normalizeEntityRef(draft.entityRef)) {
        problems.entityRef =
          'An entity ref with its kind, e.g. system:default/payments';
      }
      return;
    default: {
      if (!draft.groupName.trim()) {
        problems.groupName = 'Give the custom group a name';
      } else if (draft.groupName.trim().length > MAX_NAME_LENGTH) {
        problems.groupName = `At most ${MAX_NAME_LENGTH} characters`;
      }
      const scope = draftScope(draft);
      const hasMembers =
        scope?.kind === 'customGroup' &&
        (scope.subscriptionIds?.length ||
          scope.resourceGroups?.length ||
          scope.tags?.length);
      if (!hasMembers) {
        problems.groupMembers =
          'Add at least one subscription, resource group or tag filter';
      }
      const rgProblem = draft.groupResourceGroups
        .filter(rg => rg.subscriptionId.trim() || rg.resourceGroup.trim())
        .map(rg =>
          rg.subscriptionId.trim()
            ? resourceGroupProblem(rg.resourceGroup)
            : 'Pick the subscription of each resource group',
        )
        .find(Boolean);
      if (rgProblem) {
        problems.groupResourceGroups = rgProblem;
      }
      if (
        draft.groupTags.some(tag => tag.value !== '' && tag.key.trim() === '')
      ) {
        problems.groupTags = 'Each tag filter needs a tag name';
      }
    }
  }
}

function resourceGroupProblem(resourceGroup: string): string | undefined {
  const name = resourceGroup.trim();
  if (!name) {
    return 'Name the resource group';
  }
  if (
    name.length > MAX_RESOURCE_GROUP_LENGTH ||
    !RESOURCE_GROUP_PATTERN.test(name) ||
    name.endsWith('.')
  ) {
    return `Not a resource group name: up to ${MAX_RESOURCE_GROUP_LENGTH} letters, digits, underscores, hyphens, periods and parentheses, not ending in a period`;
  }
  return undefined;
}

function checkPeriod(
  draft: BudgetDraft,
  problems: BudgetDraftProblems,
): BudgetPeriod | undefined {
  switch (draft.periodType) {
    case 'monthly':
      return { type: 'monthly' };
    case 'quarterly':
    case 'yearly':
      return { type: draft.periodType, startMonth: draft.startMonth };
    default: {
      const start = utcDay(draft.startDate);
      const end = utcDay(draft.endDate);
      if (!start) {
        problems.startDate = 'A date, YYYY-MM-DD';
      }
      if (!end) {
        problems.endDate = 'A date, YYYY-MM-DD';
      }
      if (!start || !end) {
        return undefined;
      }
      const limit = new Date(start);
      limit.setUTCFullYear(limit.getUTCFullYear() + MAX_CUSTOM_PERIOD_YEARS);
      if (end < start) {
        problems.endDate = 'The end date must not be before the start date';
        return undefined;
      }
      if (end > limit) {
        problems.endDate = `A custom period lasts at most ${MAX_CUSTOM_PERIOD_YEARS} years`;
        return undefined;
      }
      return {
        type: 'custom',
        startDate: draft.startDate,
        endDate: draft.endDate,
      };
    }
  }
}

/** A `YYYY-MM-DD` day as a UTC date, or `undefined` for anything else (including days that do not exist). */
function utcDay(day: string): Date | undefined {
  if (!DATE_PATTERN.test(day)) {
    return undefined;
  }
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) &&
    date.toISOString().slice(0, 10) === day
    ? date
    : undefined;
}

function checkThresholds(
  drafts: ThresholdDraft[],
  problems: BudgetDraftProblems,
): BudgetThreshold[] | undefined {
  if (drafts.length === 0) {
    problems.thresholds = 'Keep at least one threshold';
    return undefined;
  }
  if (drafts.length > MAX_THRESHOLDS) {
    problems.thresholds = `At most ${MAX_THRESHOLDS} thresholds`;
    return undefined;
  }
  const thresholds = drafts.map(t => ({
    type: t.type,
    percent: Number(t.percent),
  }));
  if (
    drafts.some(t => t.percent.trim() === '') ||
    thresholds.some(
      t =>
        !Number.isFinite(t.percent) ||
        t.percent <= 0 ||
        t.percent > MAX_PERCENT,
    )
  ) {
    problems.thresholds = `Each threshold is a percentage above 0 and at most ${MAX_PERCENT}`;
    return undefined;
  }
  const keys = new Set(thresholds.map(t => `${t.type}:${t.percent}`));
  if (keys.size < thresholds.length) {
    problems.thresholds = 'The same threshold is listed twice';
    return undefined;
  }
  return thresholds;
}
