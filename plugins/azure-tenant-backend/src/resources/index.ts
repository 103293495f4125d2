export { createResourcesRouter } from './createResourcesRouter';
export type { ResourcesRouterOptions } from './createResourcesRouter';
export { ResourceSearch } from './ResourceSearch';
export type {
  FoundResource,
  ResourceSearchOptions,
  ResourceSearchPage,
} from './ResourceSearch';
export { parseResourceSearch } from './resourceSearchParameters';
export type {
  ResourceSearchInput,
  ResourceSearchQuery,
} from './resourceSearchParameters';
