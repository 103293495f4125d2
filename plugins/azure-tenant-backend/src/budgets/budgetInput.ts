import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  BudgetInput,
  BudgetPeriod,
  BudgetScope,
  BudgetThreshold,
  MAX_TAG_NAME_LENGTH,
  MAX_TAG_VALUE_LENGTH,
} from '@azure-tenant/plugin-azure-tenant-common';
import { DateTime } from 'luxon';
// The flavour of zod the actions registry hands to action schemas, so that one schema serves the REST API, app-config
// and the actions.
import { z as zod, ZodError } from 'zod/v3';
import { isGuid } from '../azure/guid';
import { ownerRef } from '../resources/resourceSearchParameters';
import { isDay } from '../spend/spendDays';
import { containsControlCharacter } from '../tags/resourceIdentifier';

/** zod as the actions registry hands it to a schema (`zod/v3`). */
type Zod = typeof zod;

/** A budget's thresholds when it is given none: 50, 80 and 100% of actual spend, and 100% of the forecast. */
export const DEFAULT_BUDGET_THRESHOLDS: readonly BudgetThreshold[] = [
  { type: 'actual', percent: 50 },
  { type: 'actual', percent: 80 },
  { type: 'actual', percent: 100 },
  { type: 'forecast', percent: 100 },
];

/**
 * The smallest budget amount: a cent (of most currencies). Smaller amounts make every percentage of use overflow to
 * infinity, which neither JSON nor a notification can say.
 */
export const MIN_BUDGET_AMOUNT = 0.01;
/** The largest budget amount: beyond it, a typo more likely than a budget. */
export const MAX_BUDGET_AMOUNT = 1e12;
/** The longest custom period, in years. */
export const MAX_CUSTOM_PERIOD_YEARS = 5;
/** Members of each kind in a custom group. */
export const MAX_CUSTOM_GROUP_MEMBERS = 100;

/**
 * A resource group's name as Azure allows it: 1 to 90 letters (Unicode), digits, underscores, hyphens, periods and
 * parentheses, not ending in a period.
 */
const RESOURCE_GROUP_NAME = /^[-\p{L}\p{N}_.()]{0,89}[-\p{L}\p{N}_()]$/u;

/**
 * What keeps a text from being stored or passed on as it is, or undefined: half of a surrogate pair on its own (not
 * well-formed Unicode, so not UTF-8: stored it would come back as U+FFFD, and it cannot be percent-encoded for the
 * catalog) and, unless `controlCharacters` allows them, a control character (PostgreSQL refuses a NUL).
 */
export function textProblem(
  value: string,
  options: { controlCharacters?: boolean } = {},
): string | undefined {
  // Node's own check (ES2024), which the ES2023 types do not declare yet.
  if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) {
    return 'must be well-formed Unicode: it holds half of a surrogate pair';
  }
  if (!options.controlCharacters && containsControlCharacter(value)) {
    return 'must not contain control characters';
  }
  return undefined;
}

/** Adds the {@link textProblem} of a text to a zod issue list. */
const checkText =
  (options: { controlCharacters?: boolean } = {}) =>
  (value: string, ctx: zod.RefinementCtx) => {
    const problem = textProblem(value, options);
    if (problem)
      ctx.addIssue({ code: zod.ZodIssueCode.custom, message: problem });
  };

/** A budget or custom group name: 1–200 characters of text that can be stored ({@link textProblem}). */
const nameSchema = (z: Zod) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .superRefine(checkText());

const subscriptionIdSchema = (z: Zod) =>
  z
    .string()
    .refine(isGuid, 'must be a subscription id, a GUID')
    .transform(id => id.toLowerCase());

const resourceGroupSchema = (z: Zod) =>
  z
    .string()
    .refine(
      name => RESOURCE_GROUP_NAME.test(name),
      'must be a resource group name: 1 to 90 letters, digits, underscores, hyphens, periods and parentheses, not ending in a period',
    );

/** A string of at most 255 characters that can be stored and passed on ({@link textProblem}), then `parse`d. */
const refSchema = (z: Zod, parse: (value: string) => string) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(255, 'must be at most 255 characters')
    .transform((value, ctx) => {
      const problem = textProblem(value);
      if (problem) {
        ctx.addIssue({ code: zod.ZodIssueCode.custom, message: problem });
        return zod.NEVER;
      }
      try {
        return parse(value);
      } catch (error) {
        ctx.addIssue({
          code: zod.ZodIssueCode.custom,
          message: (error as Error).message,
        });
        return zod.NEVER;
      }
    });

/** A catalog entity with its kind, normalized (`kind:namespace/name`, in lower case, as the catalog compares them). */
const entityRefSchema = (z: Zod) =>
  refSchema(z, value => {
    try {
      return stringifyEntityRef(
        parseEntityRef(value, { defaultNamespace: 'default' }),
      );
    } catch {
      throw new Error(
        'must be an entity ref with its kind, such as group:default/team-a or component:default/checkout',
      );
    }
  });

/**
 * The owner of a budget: a group or user, read as every owner filter of the plugin reads one (`ownerRef`: a ref
 * without a kind is a group).
 */
export const budgetOwnerSchema = (z: Zod) =>
  refSchema(z, value => {
    try {
      return ownerRef(value) as string;
    } catch (error) {
      // ownerRef's messages start with the field's name ("owner must be …"), which the issue's path gives here.
      throw new Error((error as Error).message.replace(/^owner /, ''));
    }
  });

const daySchema = (z: Zod) =>
  z.string().refine(isDay, 'must be a date that exists, YYYY-MM-DD');

/** What a budget covers (see `BudgetScope`). */
export const budgetScopeSchema = (z: Zod) =>
  z
    .discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('subscription'),
        subscriptionId: subscriptionIdSchema(z),
      }),
      z.strictObject({
        kind: z.literal('resourceGroup'),
        subscriptionId: subscriptionIdSchema(z),
        resourceGroup: resourceGroupSchema(z),
      }),
      z.strictObject({
        kind: z.literal('entity'),
        entityRef: entityRefSchema(z).describe(
          'A catalog entity with its kind, e.g. group:default/team-a or component:default/checkout',
        ),
      }),
      z.strictObject({
        kind: z.literal('customGroup'),
        name: nameSchema(z),
        subscriptionIds: z
          .array(subscriptionIdSchema(z))
          .max(MAX_CUSTOM_GROUP_MEMBERS)
          .optional(),
        resourceGroups: z
          .array(
            z.strictObject({
              subscriptionId: subscriptionIdSchema(z),
              resourceGroup: resourceGroupSchema(z),
            }),
          )
          .max(MAX_CUSTOM_GROUP_MEMBERS)
          .optional(),
        tags: z
          .array(
            z.strictObject({
              // Tag values are free text in Azure; only what cannot be stored is refused.
              key: z
                .string()
                .min(1, 'must not be empty')
                .max(MAX_TAG_NAME_LENGTH)
                .superRefine(checkText({ controlCharacters: true })),
              value: z
                .string()
                .max(MAX_TAG_VALUE_LENGTH)
                .superRefine(checkText({ controlCharacters: true }))
                .optional(),
            }),
          )
          .max(MAX_CUSTOM_GROUP_MEMBERS)
          .optional(),
      }),
    ])
    .superRefine((scope, ctx) => {
      if (
        scope.kind === 'customGroup' &&
        !scope.subscriptionIds?.length &&
        !scope.resourceGroups?.length &&
        !scope.tags?.length
      ) {
        ctx.addIssue({
          code: zod.ZodIssueCode.custom,
          message:
            'must hold at least one member for a custom group: a subscription, a resource group or a tag filter',
        });
      }
    });

/** A budget's reporting period (see `BudgetPeriod`). */
export const budgetPeriodSchema = (z: Zod) =>
  z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('monthly') }),
      z.strictObject({
        type: z.enum(['quarterly', 'yearly']),
        startMonth: z
          .number()
          .int('must be a whole month, 1 to 12')
          .min(1, 'must be a month, 1 to 12')
          .max(12, 'must be a month, 1 to 12')
          .optional(),
      }),
      z.strictObject({
        type: z.literal('custom'),
        startDate: daySchema(z),
        endDate: daySchema(z),
      }),
    ])
    .superRefine((period, ctx) => {
      if (period.type !== 'custom') return;
      const { startDate, endDate } = period;
      if (!isDay(startDate) || !isDay(endDate)) return;
      if (endDate < startDate) {
        ctx.addIssue({
          code: zod.ZodIssueCode.custom,
          path: ['endDate'],
          message: `must not be before startDate (${startDate})`,
        });
      }
      const latest = DateTime.fromISO(startDate, { zone: 'utc' })
        .plus({ years: MAX_CUSTOM_PERIOD_YEARS })
        .toISODate() as string;
      if (endDate > latest) {
        ctx.addIssue({
          code: zod.ZodIssueCode.custom,
          path: ['endDate'],
          message: `must be at most ${MAX_CUSTOM_PERIOD_YEARS} years after startDate, by ${latest}`,
        });
      }
    });

/** A budget's thresholds: 1 to 10, each once. */
export const budgetThresholdsSchema = (z: Zod) =>
  z
    .array(
      z.strictObject({
        type: z.enum(['actual', 'forecast']),
        percent: z
          .number()
          .gt(0, 'must be above 0')
          .max(1000, 'must be at most 1000'),
      }),
    )
    .min(1, 'must hold at least one threshold')
    .max(10, 'must hold at most 10 thresholds')
    .superRefine((thresholds, ctx) => {
      const seen = new Set<string>();
      thresholds.forEach((threshold, index) => {
        const key = `${threshold.type} ${threshold.percent}`;
        if (seen.has(key)) {
          ctx.addIssue({
            code: zod.ZodIssueCode.custom,
            path: [index],
            message: `${threshold.type} ${threshold.percent}% is given twice`,
          });
        }
        seen.add(key);
      });
    });

/**
 * The fields of a budget as it is created or replaced (`BudgetInput`), each with its rules, for an object schema:
 * the REST API's and app-config's validation and the actions' input schemas are built from it.
 */
export const budgetInputShape = (z: Zod) => ({
  name: nameSchema(z).describe('Shown in lists and notifications'),
  scope: budgetScopeSchema(z).describe(
    "What the budget covers: { kind: 'subscription', subscriptionId }, { kind: 'resourceGroup', subscriptionId, resourceGroup }, { kind: 'entity', entityRef } (the entity and all it owns) or { kind: 'customGroup', name, subscriptionIds?, resourceGroups?, tags? }",
  ),
  amount: z
    .number()
    .finite('must be a finite number')
    .min(MIN_BUDGET_AMOUNT, `must be at least ${MIN_BUDGET_AMOUNT}`)
    .max(MAX_BUDGET_AMOUNT, `must be at most ${MAX_BUDGET_AMOUNT}`)
    .describe('The budget for each period, in currency'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, e.g. USD')
    .describe(
      "ISO 4217, e.g. USD; in the scope's spend currency unless an exchange rate is configured",
    ),
  period: budgetPeriodSchema(z).describe(
    "{ type: 'monthly' }, { type: 'quarterly' | 'yearly', startMonth?: 1-12 } or { type: 'custom', startDate, endDate } (YYYY-MM-DD, inclusive, at most 5 years)",
  ),
  thresholds: budgetThresholdsSchema(z)
    .optional()
    .describe(
      'Percentages of the amount on actual or forecast spend; defaults to actual 50, 80, 100 and forecast 100',
    ),
  owner: budgetOwnerSchema(z)
    .optional()
    .describe(
      "The group or user notified, e.g. group:default/team-a; defaults to the scope's owner; required for a custom group",
    ),
});

const budgetInputSchema = zod.strictObject(budgetInputShape(zod));

/** A budget's fields after validation: thresholds filled in, ids and refs normalized. */
export type ValidBudgetInput = Omit<BudgetInput, 'thresholds'> & {
  scope: BudgetScope;
  period: BudgetPeriod;
  thresholds: BudgetThreshold[];
};

/** One line per problem, each naming its field, e.g. `scope.subscriptionId must be a subscription id, a GUID`. */
export function describeZodIssues(error: ZodError, prefix?: string): string {
  return error.issues
    .map(issue => {
      const field = [prefix, ...issue.path.map(String)]
        .filter(Boolean)
        .join('.');
      // zod's own messages start with a capital ("Required"); ours follow the field name.
      const message = /^[A-Z]/.test(issue.message)
        ? `: ${issue.message}`
        : ` ${issue.message}`;
      return field ? `${field}${message}` : issue.message;
    })
    .join('; ');
}

/**
 * Validates a budget's fields (`POST /budgets`, `PUT /budgets/{id}`, an action, or an entry of app-config): an
 * unknown field is an error, as is any broken rule. Throws an InputError that names each field at fault.
 */
export function parseBudgetInput(value: unknown): ValidBudgetInput {
  const result = budgetInputSchema.safeParse(value);
  if (!result.success) {
    throw new InputError(`Invalid budget: ${describeZodIssues(result.error)}`);
  }
  const input = result.data;
  return {
    ...input,
    scope: input.scope as BudgetScope,
    period: input.period as BudgetPeriod,
    thresholds:
      input.thresholds ?? DEFAULT_BUDGET_THRESHOLDS.map(t => ({ ...t })),
  };
}

/**
 * The end of a mute (`POST /budgets/{id}/mute`): an ISO 8601 time after `now` and at most a year ahead, as UTC
 * ISO 8601; undefined for `null`, which ends a mute.
 */
export function parseMuteUntil(value: unknown, now: Date): string | undefined {
  if (value === null) return undefined;
  const time =
    typeof value === 'string'
      ? DateTime.fromISO(value, { zone: 'utc' })
      : undefined;
  if (!time?.isValid) {
    throw new InputError(
      'until must be an ISO 8601 time such as 2026-12-31T00:00:00Z, or null to end the mute',
    );
  }
  const start = DateTime.fromJSDate(now, { zone: 'utc' });
  if (time <= start) {
    throw new InputError(
      `until must be in the future (now is ${start.toISO()})`,
    );
  }
  const latest = start.plus({ years: 1 });
  if (time > latest) {
    throw new InputError(
      `until must be at most a year ahead, by ${latest.toISO()}`,
    );
  }
  return time.toUTC().toISO() as string;
}
