import {
  compileTagValuePattern,
  TagInheritance,
  TagPolicy,
  TagPolicyInput,
  TagValueRule,
  validateTagChange,
} from '@azure-tenant/plugin-azure-tenant-common';

/** The kinds of values rule the dialog offers; `any` is no rule. */
export type ValuesKind = 'any' | TagValueRule['kind'];

/** What the tag policy dialog's fields hold, as the user types it. */
export interface TagPolicyDraft {
  name: string;
  description: string;
  key: string;
  /** Comma-separated. */
  aliases: string;
  required: boolean;
  valuesKind: ValuesKind;
  /** One value per line: a value may hold a comma. */
  values: string;
  caseSensitive: boolean;
  pattern: string;
  entityKinds: Array<'group' | 'user'>;
  inherit: TagInheritance | '';
  /** Comma-separated. */
  subscriptionIds: string;
  resourceGroupPattern: string;
  /** Comma-separated. */
  resourceTypes: string;
}

/** The draft's fields that can be wrong, each with the sentence shown under it. */
export type TagPolicyProblems = Partial<
  Record<
    | 'name'
    | 'key'
    | 'aliases'
    | 'values'
    | 'pattern'
    | 'entityKinds'
    | 'subscriptionIds'
    | 'resourceTypes',
    string
  >
>;

const MAX_NAME_LENGTH = 200;
const SUBSCRIPTION_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// `Microsoft.Compute/virtualMachines`, `Microsoft.Sql/servers/databases`.
const RESOURCE_TYPE = /^[A-Za-z0-9.]+(\/[A-Za-z0-9.-]+)+$/;

/** Splits a comma-separated field into its trimmed, non-empty parts. */
function commaList(text: string): string[] {
  return text
    .split(',')
    .map(part => part.trim())
    .filter(Boolean);
}

function lineList(text: string): string[] {
  return text
    .split('\n')
    .map(part => part.trim())
    .filter(Boolean);
}

/** The draft of a policy to edit, or of a new one. */
export function tagPolicyDraftOf(policy?: TagPolicyInput): TagPolicyDraft {
  const values = policy?.values;
  return {
    name: policy?.name ?? '',
    description: policy?.description ?? '',
    key: policy?.key ?? '',
    aliases: (policy?.aliases ?? []).join(', '),
    required: policy?.required ?? false,
    valuesKind: values?.kind ?? 'any',
    values: values?.kind === 'list' ? values.values.join('\n') : '',
    caseSensitive: values?.kind === 'list' ? !!values.caseSensitive : false,
    pattern: values?.kind === 'pattern' ? values.pattern : '',
    entityKinds:
      values?.kind === 'catalog-entity'
        ? values.entityKinds ?? ['group', 'user']
        : ['group', 'user'],
    inherit: policy?.inherit ?? '',
    subscriptionIds: (policy?.scope?.subscriptionIds ?? []).join(', '),
    resourceGroupPattern: policy?.scope?.resourceGroupPattern ?? '',
    resourceTypes: (policy?.scope?.resourceTypes ?? []).join(', '),
  };
}

/** Why a tag name cannot be a policy's key or alias, as Azure's rules say; undefined when it can. */
function tagNameProblem(name: string): string | undefined {
  return validateTagChange({ set: { [name]: '' } }).find(
    problem => problem.code !== 'invalid-value',
  )?.message;
}

function valuesRule(
  draft: TagPolicyDraft,
  problems: TagPolicyProblems,
): TagValueRule | undefined {
  switch (draft.valuesKind) {
    case 'list': {
      const values = lineList(draft.values);
      if (values.length === 0) {
        problems.values = 'List at least one allowed value, one per line';
      } else {
        for (const value of values) {
          const problem = validateTagChange({ set: { value } }).find(
            p => p.code === 'value-too-long' || p.code === 'invalid-value',
          );
          if (problem) {
            problems.values = problem.message;
            break;
          }
        }
      }
      return {
        kind: 'list',
        values,
        ...(draft.caseSensitive && { caseSensitive: true }),
      };
    }
    case 'pattern': {
      const pattern = draft.pattern;
      if (!pattern.trim()) {
        problems.pattern = 'Give the pattern the whole value must match';
      } else {
        try {
          // Compiled as the backend compiles it (RE2: no lookarounds or backreferences).
          compileTagValuePattern(pattern);
        } catch (e) {
          problems.pattern = `The pattern does not compile: ${
            (e as Error).message
          }`;
        }
      }
      return { kind: 'pattern', pattern };
    }
    case 'catalog-entity':
      if (draft.entityKinds.length === 0) {
        problems.entityKinds = 'Allow groups, users or both';
      }
      return {
        kind: 'catalog-entity',
        entityKinds: [...draft.entityKinds].sort(),
      };
    default:
      return undefined;
  }
}

/**
 * Checks a draft as the backend would, so that each mistake shows under its field as the user types, and builds the
 * input to send when there is none.
 */
export function checkTagPolicyDraft(draft: TagPolicyDraft): {
  input?: TagPolicyInput;
  problems: TagPolicyProblems;
} {
  const problems: TagPolicyProblems = {};
  const name = draft.name.trim();
  if (!name) {
    problems.name = 'Give the policy a name';
  } else if (name.length > MAX_NAME_LENGTH) {
    problems.name = `At most ${MAX_NAME_LENGTH} characters (${name.length} now)`;
  }

  const key = draft.key.trim();
  if (!key) {
    problems.key = 'Give the tag key, in its canonical spelling';
  } else {
    const problem = tagNameProblem(key);
    if (problem) problems.key = problem;
  }

  const aliases = commaList(draft.aliases);
  const seen = new Set([key.toLocaleLowerCase()]);
  for (const alias of aliases) {
    const problem = tagNameProblem(alias);
    if (problem) {
      problems.aliases = problem;
      break;
    }
    const lower = alias.toLocaleLowerCase();
    if (seen.has(lower)) {
      problems.aliases =
        lower === key.toLocaleLowerCase()
          ? `'${alias}' is the key itself: a spelling of the key in another case is already read as the key`
          : `'${alias}' is listed twice (aliases are matched case-insensitively)`;
      break;
    }
    seen.add(lower);
  }

  const values = valuesRule(draft, problems);

  const subscriptionIds = commaList(draft.subscriptionIds);
  const badSubscription = subscriptionIds.find(id => !SUBSCRIPTION_ID.test(id));
  if (badSubscription) {
    problems.subscriptionIds = `'${badSubscription}' is not a subscription id (a GUID)`;
  }
  const resourceTypes = commaList(draft.resourceTypes);
  const badType = resourceTypes.find(type => !RESOURCE_TYPE.test(type));
  if (badType) {
    problems.resourceTypes = `'${badType}' is not a resource type, e.g. Microsoft.Compute/virtualMachines`;
  }
  const resourceGroupPattern = draft.resourceGroupPattern.trim();

  if (Object.keys(problems).length > 0) {
    return { problems };
  }
  const scope = {
    ...(subscriptionIds.length > 0 && { subscriptionIds }),
    ...(resourceGroupPattern && { resourceGroupPattern }),
    ...(resourceTypes.length > 0 && { resourceTypes }),
  };
  const description = draft.description.trim();
  return {
    problems,
    input: {
      name,
      ...(description && { description }),
      key,
      ...(aliases.length > 0 && { aliases }),
      required: draft.required,
      ...(values && { values }),
      ...(draft.inherit && { inherit: draft.inherit }),
      ...(Object.keys(scope).length > 0 && { scope }),
    },
  };
}

/** Whether a policy can be changed in the portal: one declared in app-config is changed there. */
export function isDeclaredPolicy(policy: TagPolicy): boolean {
  return policy.source === 'config';
}
