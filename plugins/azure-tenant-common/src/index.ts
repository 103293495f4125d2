/**
 * Types, sync modes, permissions and annotation keys shared by the Azure tenant plugins for Backstage.
 *
 * @packageDocumentation
 */

export * from './syncMode';
export * from './annotations';
export * from './permissions';
export * from './onboarding';
export * from './access';
export * from './tenants';
export * from './entityNames';
export * from './catalogFeed';
export * from './entityModel';
export * from './spend';
export * from './budgets';
export * from './tagGovernance';
export * from './tagValuePattern';
export * from './tagRules';
export * from './resourceTags';
export * from './effectiveTags';
export * from './configError';
