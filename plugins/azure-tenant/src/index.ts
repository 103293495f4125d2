/**
 * The Azure tenant frontend plugin for Backstage (legacy frontend system). For the new frontend system, import
 * `@azure-tenant/plugin-azure-tenant/alpha`.
 *
 * @packageDocumentation
 */

export { azureTenantPlugin } from './plugin';
