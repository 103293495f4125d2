import { InputError } from '@backstage/errors';
import {
  compileTagValuePattern,
  MAX_TAG_VALUE_LENGTH,
  TagPolicyInput,
  validateTagChange,
} from '@azure-tenant/plugin-azure-tenant-common';
// The flavour of zod the actions registry hands to action schemas, so that one schema serves the REST API, app-config
// and the actions.
import { z as zod } from 'zod/v3';
import { isGuid } from '../../azure/guid';
import { describeZodIssues, textProblem } from '../../budgets/budgetInput';

/** zod as the actions registry hands it to a schema (`zod/v3`). */
type Zod = typeof zod;

/** Other spellings of one policy's key. */
export const MAX_TAG_POLICY_ALIASES = 20;
/** Values of a policy's allowed list. */
export const MAX_TAG_POLICY_VALUES = 200;
/** The longest pattern of allowed values, in characters. */
export const MAX_TAG_POLICY_PATTERN_LENGTH = 500;
/** The longest description of a policy, in characters. */
export const MAX_TAG_POLICY_DESCRIPTION_LENGTH = 2000;
/** Subscriptions, or resource types, a policy's scope may name. */
export const MAX_TAG_POLICY_SCOPE_ITEMS = 100;

/**
 * A resource group pattern: 1 to 90 of the characters of a resource group's name (letters, digits, underscores,
 * hyphens, periods, parentheses), with `*` and `?` as wildcards.
 */
const RESOURCE_GROUP_PATTERN = /^[-\p{L}\p{N}_.()*?]{1,90}$/u;

/** An ARM resource type: a provider namespace and one or more type segments, e.g. `Microsoft.Web/sites/slots`. */
const RESOURCE_TYPE = /^[A-Za-z0-9]+(\.[A-Za-z0-9]+)+(\/[A-Za-z0-9_-]+)+$/;

/** The first of Azure's tag name rules (`validateTagChange`) a name breaks, as a sentence, or undefined. */
function tagNameProblem(name: string): string | undefined {
  const [problem] = validateTagChange({ set: { [name]: '' } });
  return problem?.message;
}

const tagNameSchema = (z: Zod) =>
  z.string().superRefine((name, ctx) => {
    const problem = tagNameProblem(name);
    if (problem)
      ctx.addIssue({ code: zod.ZodIssueCode.custom, message: problem });
  });

/** Adds the {@link textProblem} of a text to a zod issue list. */
const checkStorable =
  (options: { controlCharacters?: boolean } = {}) =>
  (value: string, ctx: zod.RefinementCtx) => {
    const problem =
      textProblem(value, options) ??
      // PostgreSQL refuses a NUL in text even where other control characters (a line break) are fine.
      (value.includes('\u0000')
        ? 'must not contain a NUL character'
        : undefined);
    if (problem)
      ctx.addIssue({ code: zod.ZodIssueCode.custom, message: problem });
  };

/** Which values a policy allows for its key (see `TagValueRule`). */
export const tagValueRuleSchema = (z: Zod) =>
  z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('list'),
      values: z
        .array(
          z
            .string()
            .max(
              MAX_TAG_VALUE_LENGTH,
              `must be at most ${MAX_TAG_VALUE_LENGTH} characters, as Azure allows a tag value`,
            )
            // Azure's values are free text: only what cannot be stored is refused.
            .superRefine(checkStorable({ controlCharacters: true })),
        )
        .min(1, 'must hold at least one value')
        .max(
          MAX_TAG_POLICY_VALUES,
          `must hold at most ${MAX_TAG_POLICY_VALUES} values`,
        ),
      caseSensitive: z.boolean().optional(),
    }),
    z.strictObject({
      kind: z.literal('pattern'),
      pattern: z
        .string()
        .min(1, 'must not be empty')
        .max(
          MAX_TAG_POLICY_PATTERN_LENGTH,
          `must be at most ${MAX_TAG_POLICY_PATTERN_LENGTH} characters`,
        )
        .superRefine((pattern, ctx) => {
          // A pattern may name control characters (`\t`) but must be storable text.
          const problem = textProblem(pattern, { controlCharacters: true });
          if (problem) {
            ctx.addIssue({ code: zod.ZodIssueCode.custom, message: problem });
            return;
          }
          try {
            compileTagValuePattern(pattern);
          } catch (error) {
            ctx.addIssue({
              code: zod.ZodIssueCode.custom,
              message: `must be a regular expression: ${
                (error as Error).message
              }`,
            });
          }
        }),
    }),
    z.strictObject({
      kind: z.literal('catalog-entity'),
      entityKinds: z
        .array(z.enum(['group', 'user']))
        .min(1, 'must name group, user or both')
        .max(2)
        .refine(
          kinds => new Set(kinds).size === kinds.length,
          'must name each kind once',
        )
        .optional(),
    }),
  ]);

/** Which resources a policy applies to (see `TagPolicyScope`). */
export const tagPolicyScopeSchema = (z: Zod) =>
  z.strictObject({
    subscriptionIds: z
      .array(
        z
          .string()
          .refine(isGuid, 'must be a subscription id, a GUID')
          .transform(id => id.toLowerCase()),
      )
      .max(MAX_TAG_POLICY_SCOPE_ITEMS)
      .optional(),
    resourceGroupPattern: z
      .string()
      .refine(
        pattern => RESOURCE_GROUP_PATTERN.test(pattern),
        'must be 1 to 90 characters of a resource group name (letters, digits, underscores, hyphens, periods, parentheses) and the wildcards * and ?',
      )
      .optional(),
    resourceTypes: z
      .array(
        z
          .string()
          .refine(
            type => RESOURCE_TYPE.test(type),
            'must be a resource type such as Microsoft.Compute/virtualMachines',
          ),
      )
      .max(MAX_TAG_POLICY_SCOPE_ITEMS)
      .optional(),
  });

/**
 * The fields of a tag policy as it is created or replaced (`TagPolicyInput`), each with its rules, for an object
 * schema: the REST API's and app-config's validation and the actions' input schemas are built from it.
 */
export const tagPolicyInputShape = (z: Zod) => ({
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .superRefine(checkStorable())
    .describe('Shown with each violation, e.g. "Owner is a catalog team"'),
  description: z
    .string()
    .max(
      MAX_TAG_POLICY_DESCRIPTION_LENGTH,
      `must be at most ${MAX_TAG_POLICY_DESCRIPTION_LENGTH} characters`,
    )
    .superRefine(checkStorable({ controlCharacters: true }))
    .optional()
    .describe('Why the policy exists, for people'),
  key: tagNameSchema(z).describe(
    'The tag name in its canonical spelling, e.g. owner',
  ),
  aliases: z
    .array(tagNameSchema(z))
    .max(
      MAX_TAG_POLICY_ALIASES,
      `must hold at most ${MAX_TAG_POLICY_ALIASES} names`,
    )
    .optional()
    .describe(
      'Other names of the same key, e.g. owned-by; matched case-insensitively and reported for renaming',
    ),
  required: z
    .boolean()
    .optional()
    .describe('Whether every resource in scope must have the key'),
  values: tagValueRuleSchema(z)
    .optional()
    .describe(
      "The values allowed: { kind: 'list', values, caseSensitive? }, { kind: 'pattern', pattern } (an RE2 regular expression matching the whole value) or { kind: 'catalog-entity', entityKinds? } (a catalog group or user)",
    ),
  inherit: z
    .enum([
      'resource-group',
      'subscription',
      'resource-group-then-subscription',
    ])
    .optional()
    .describe('Where a resource without the key should take it from'),
  scope: tagPolicyScopeSchema(z)
    .optional()
    .describe(
      'Which resources: subscriptionIds, resourceGroupPattern (* and ? wildcards), resourceTypes; all apply together, none means every resource',
    ),
});

/** The whole input's rules that span fields: the aliases against the key and against each other. */
const tagPolicyInputSchema = zod
  .strictObject(tagPolicyInputShape(zod))
  .superRefine((input, ctx) => {
    const seen = new Set([input.key.toLowerCase()]);
    (input.aliases ?? []).forEach((alias, index) => {
      const lower = alias.toLowerCase();
      if (lower === input.key.toLowerCase()) {
        ctx.addIssue({
          code: zod.ZodIssueCode.custom,
          path: ['aliases', index],
          message: `must not be the key itself ('${input.key}'): spellings of the key in another case are found anyway`,
        });
      } else if (seen.has(lower)) {
        ctx.addIssue({
          code: zod.ZodIssueCode.custom,
          path: ['aliases', index],
          message: `'${alias}' is given twice (names are compared case-insensitively)`,
        });
      }
      seen.add(lower);
    });
  });

/**
 * Validates a tag policy's fields (`POST /tag-policies`, `PUT /tag-policies/{id}`, an action, or an entry of
 * app-config): an unknown field is an error, as is any broken rule. Throws an InputError that names each field at
 * fault. Subscription ids come back in lower case, and fields left out stay out.
 */
export function parseTagPolicyInput(value: unknown): TagPolicyInput {
  const result = tagPolicyInputSchema.safeParse(value);
  if (!result.success) {
    throw new InputError(
      `Invalid tag policy: ${describeZodIssues(result.error)}`,
    );
  }
  return result.data as TagPolicyInput;
}
