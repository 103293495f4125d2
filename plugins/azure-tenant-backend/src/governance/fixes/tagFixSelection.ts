import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  TagFixKind,
  TagFixSelection,
} from '@azure-tenant/plugin-azure-tenant-common';
// The flavour of zod the actions registry hands to action schemas, so that one schema serves the REST API and the
// actions.
import { z as zod } from 'zod/v3';
import { isGuid } from '../../azure/guid';
import { describeZodIssues, textProblem } from '../../budgets/budgetInput';
import { parseResourceIdentifier } from '../../tags/resourceIdentifier';

type Zod = typeof zod;

/** Subscriptions or policies a selection may name. */
export const MAX_SELECTION_ITEMS = 100;
/** Resources a selection may name: 500 ids of any length fit in the 100 kB request bodies that Backstage accepts. */
export const MAX_SELECTION_RESOURCES = 500;

/** The kinds of suggested fix, in the order they are shown. */
export const TAG_FIX_KINDS: readonly TagFixKind[] = [
  'canonical-key',
  'canonical-value',
  'inherit',
  'owner-from-resource-group',
  'owner-from-siblings',
];

const storableText = (z: Zod, max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((value, ctx) => {
      const problem =
        textProblem(value) ??
        (value.includes('\u0000') ? 'must not contain a NUL' : undefined);
      if (problem)
        ctx.addIssue({ code: zod.ZodIssueCode.custom, message: problem });
    });

/** The fields of a {@link TagFixSelection}, for the actions' input schemas and the REST API alike. */
export const tagFixSelectionShape = (z: Zod) => ({
  subscriptionIds: z
    .array(
      z
        .string()
        .refine(isGuid, { message: 'must be a subscription id (GUID)' }),
    )
    .max(MAX_SELECTION_ITEMS)
    .optional()
    .describe('Only resources of these subscriptions'),
  policyIds: z
    .array(storableText(z, 200))
    .max(MAX_SELECTION_ITEMS)
    .optional()
    .describe('Only fixes for these tag policies (ids)'),
  kinds: z
    .array(z.enum(TAG_FIX_KINDS as [TagFixKind, ...TagFixKind[]]))
    .max(TAG_FIX_KINDS.length)
    .optional()
    .describe(`Only these kinds of fix: ${TAG_FIX_KINDS.join(', ')}`),
  ownerRef: storableText(z, 512)
    .refine(
      value => {
        try {
          parseEntityRef(value);
          return true;
        } catch {
          return false;
        }
      },
      { message: "must be an entity ref such as 'group:default/team-a'" },
    )
    .optional()
    .describe('Only resources owned by this catalog group or user'),
  resourceIds: z
    .array(
      storableText(z, 4096).refine(
        value => {
          try {
            parseResourceIdentifier(value);
            return true;
          } catch {
            return false;
          }
        },
        { message: 'must be the id of an Azure resource' },
      ),
    )
    .max(MAX_SELECTION_RESOURCES)
    .optional()
    .describe('Only these resources (ARM ids)'),
});

const selectionSchema = zod.object(tagFixSelectionShape(zod)).strict();

/**
 * Checks a selection from a request body or an action: unknown fields and broken rules are a 400 naming each field.
 * Ids are kept as given; the owner ref is made full and lower case, as compliance stores it.
 */
export function parseTagFixSelection(value: unknown): TagFixSelection {
  const result = selectionSchema.safeParse(value ?? {});
  if (!result.success) {
    throw new InputError(
      `Invalid selection: ${describeZodIssues(result.error)}`,
    );
  }
  const { subscriptionIds, policyIds, kinds, ownerRef, resourceIds } =
    result.data;
  return {
    ...(subscriptionIds ? { subscriptionIds } : {}),
    ...(policyIds ? { policyIds } : {}),
    ...(kinds ? { kinds } : {}),
    ...(ownerRef
      ? {
          ownerRef: stringifyEntityRef(
            parseEntityRef(ownerRef, { defaultNamespace: 'default' }),
          ).toLowerCase(),
        }
      : {}),
    ...(resourceIds ? { resourceIds } : {}),
  };
}
