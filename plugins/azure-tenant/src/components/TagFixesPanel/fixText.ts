import {
  TagFixKind,
  TagFixSubscriptionPlan,
  TagFixSuggestion,
} from '@azure-tenant/plugin-azure-tenant-common';

/** The kinds of suggested fix, as the panel names them. */
export const FIX_KIND_TEXT: Record<TagFixKind, string> = {
  'canonical-key': 'Canonical key spelling',
  'canonical-value': 'Canonical value spelling',
  inherit: 'Inherit from resource group or subscription',
  'owner-from-resource-group': "Owner from the resource group's tag",
  'owner-from-siblings': 'Owner from the other resources of the group',
};

/** What applying does to a subscription's resources, as the chips name it. */
export const OUTCOME_TEXT: Record<TagFixSubscriptionPlan['outcome'], string> = {
  'write-to-azure': 'Written to Azure',
  'portal-only': 'Portal-only tags',
  forbidden: 'Forbidden',
};

/** A change in words, e.g. `owner = platform; remove Owner`. */
export function changeText(change: TagFixSuggestion['change']): string {
  const parts = Object.entries(change.set).map(
    ([key, value]) => `${key} = ${value}`,
  );
  for (const key of change.remove) parts.push(`remove ${key}`);
  return parts.join('; ');
}

/** A resource's name from its ARM id: its last segment. */
export function resourceNameOf(resourceId: string): string {
  const parts = resourceId.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? resourceId;
}

/** `1 resource`, `3 resources`. */
export function resourcesText(count: number): string {
  return `${count.toLocaleString()} ${count === 1 ? 'resource' : 'resources'}`;
}
