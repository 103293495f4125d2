import {
  ANNOTATION_AZURE_TAG_VIOLATIONS,
  AzureResourceRecord,
  LABEL_AZURE_TAG_COMPLIANCE,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';

/**
 * The longest {@link ANNOTATION_AZURE_TAG_VIOLATIONS} value: a resource that breaks many policies with long keys
 * would otherwise make an entity as large as its tags allow (512 characters a key). The portal's compliance pages
 * show every violation; the annotation is for search and filters.
 */
export const MAX_TAG_VIOLATIONS_LENGTH = 1024;

/**
 * A policy key as it appears in a `key:code` pair: `,` and `:` (which Azure allows in tag names) percent-encoded, so
 * that the pairs split cleanly. Azure forbids `%` in tag names, so the encoding is never ambiguous.
 */
function encodeKey(key: string): string {
  return key.replace(/[,:]/g, c => (c === ',' ? '%2C' : '%3A'));
}

/**
 * The {@link ANNOTATION_AZURE_TAG_VIOLATIONS} value of a set of violations: `key:code` pairs, sorted, without
 * duplicates (two policies on one key may break it the same way), joined by commas. Only whole pairs are kept within
 * {@link MAX_TAG_VIOLATIONS_LENGTH}. Undefined when there are none.
 */
export function tagViolationsAnnotation(
  violations: Array<{ key: string; code: string }>,
): string | undefined {
  const pairs = [
    ...new Set(violations.map(v => `${encodeKey(v.key)}:${v.code}`)),
  ].sort(); // code-unit order: the same on every machine and locale
  let value = '';
  for (const pair of pairs) {
    const next = value ? `${value},${pair}` : pair;
    if (next.length > MAX_TAG_VIOLATIONS_LENGTH) break;
    value = next;
  }
  return value || undefined;
}

/**
 * The tag compliance label and violations annotation of a resource entity, from its record's `compliance`:
 * - no compliance (not evaluated yet): neither;
 * - a sync mode that keeps no tags (`no-tags`, `none`): `unknown`, whatever was evaluated before the mode changed;
 * - otherwise the status, and when `non-compliant` the violations.
 */
export function tagComplianceMetadata(
  compliance: AzureResourceRecord['compliance'],
  syncMode: SyncMode | undefined,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  if (!compliance) return { labels: {}, annotations: {} };
  const keepsTags = syncMode !== 'no-tags' && syncMode !== 'none';
  const status = keepsTags ? compliance.status : 'unknown';
  const violations =
    status === 'non-compliant'
      ? tagViolationsAnnotation(compliance.violations)
      : undefined;
  return {
    labels: { [LABEL_AZURE_TAG_COMPLIANCE]: status },
    annotations: violations
      ? { [ANNOTATION_AZURE_TAG_VIOLATIONS]: violations }
      : {},
  };
}
