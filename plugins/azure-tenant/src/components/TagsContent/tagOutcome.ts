import { TagUpdateResult } from '@azure-tenant/plugin-azure-tenant-common';

/** What a user reads after a save, by what the backend did. */
export function savedMessage(result: TagUpdateResult): string {
  switch (result.outcome) {
    case 'written':
      return 'Saved to Azure.';
    case 'portal-only':
      return 'Saved as portal-only tags: not written to Azure.';
    default:
      return 'Nothing changed: every tag already had that value.';
  }
}
