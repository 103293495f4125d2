import { findTag, putTag } from './tagRules';

/**
 * A resource's effective tags: Azure's tags with the portal-only tags (kept under `read-tags`) over them. A portal
 * tag replaces the Azure tag whose name equals its own but for case, and keeps the portal's spelling. Undefined when
 * the resource's Azure tags are not kept (`tags` undefined), whatever its portal tags: the portal cannot tell what
 * the resource holds.
 *
 * @public
 */
export function effectiveTags(record: {
  tags?: Record<string, string>;
  portalTags?: Record<string, string>;
}): Record<string, string> | undefined {
  if (!record.tags) return undefined;
  const effective: Record<string, string> = { ...record.tags };
  for (const [name, value] of Object.entries(record.portalTags ?? {})) {
    const existing = findTag(effective, name);
    if (existing !== undefined) delete effective[existing];
    putTag(effective, name, value);
  }
  return effective;
}
