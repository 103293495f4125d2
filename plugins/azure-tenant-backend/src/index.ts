/**
 * The Azure tenant backend plugin for Backstage: admin consent, role assignment, sync, spend and tag write-back.
 *
 * @packageDocumentation
 */

export { azureTenantPlugin as default } from './plugin';
