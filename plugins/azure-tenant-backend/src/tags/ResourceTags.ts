// The tag API's shapes live in the common package, where the frontend reads them too.
export type {
  ResourceTags,
  TagEditRefusal,
  TagUpdateResult,
} from '@azure-tenant/plugin-azure-tenant-common';
