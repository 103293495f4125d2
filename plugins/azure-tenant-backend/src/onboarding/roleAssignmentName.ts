import crypto from 'node:crypto';

/**
 * The name (a GUID) of the role assignment of a role to a principal at a scope. It is derived from those three, so
 * a retried or repeated onboarding addresses the same assignment instead of creating a second one.
 */
export function roleAssignmentName(
  scope: string,
  principalId: string,
  roleDefinitionGuid: string,
): string {
  const hash = crypto
    .createHash('sha1')
    .update(
      `azure-tenant:${scope.toLowerCase()}:${principalId.toLowerCase()}:${roleDefinitionGuid.toLowerCase()}`,
    )
    .digest();
  // Laid out as a name-based (version 5) UUID.
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(
    12,
    16,
  )}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
