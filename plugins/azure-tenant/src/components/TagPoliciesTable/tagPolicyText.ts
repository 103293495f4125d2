import {
  TagPolicyScope,
  TagValueRule,
} from '@azure-tenant/plugin-azure-tenant-common';

/** A values rule in words, e.g. `One of prod, test (any case)`. */
export function valuesRuleText(values?: TagValueRule): string {
  if (!values) return 'Any value';
  switch (values.kind) {
    case 'list':
      return `One of ${values.values.join(', ')}${
        values.caseSensitive ? '' : ' (any case)'
      }`;
    case 'pattern':
      return `Matches /${values.pattern}/`;
    default: {
      const kinds = values.entityKinds ?? ['group', 'user'];
      return kinds.length === 1
        ? `A catalog ${kinds[0]}`
        : 'A catalog group or user';
    }
  }
}

/** A policy's scope in words, e.g. `2 subscriptions, resource groups rg-prod-*`. */
export function policyScopeText(scope?: TagPolicyScope): string {
  const parts: string[] = [];
  const subscriptions = scope?.subscriptionIds?.length ?? 0;
  if (subscriptions > 0) {
    parts.push(
      subscriptions === 1
        ? `Subscription ${scope!.subscriptionIds![0]}`
        : `${subscriptions} subscriptions`,
    );
  }
  if (scope?.resourceGroupPattern) {
    parts.push(`resource groups ${scope.resourceGroupPattern}`);
  }
  if (scope?.resourceTypes?.length) {
    parts.push(scope.resourceTypes.join(', '));
  }
  if (parts.length === 0) return 'Every resource';
  const text = parts.join('; ');
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}
