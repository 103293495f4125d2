/**
 * The catalog module that turns synced Azure subscriptions and resources into catalog entities.
 *
 * @packageDocumentation
 */

export { catalogModuleAzureTenant as default } from './module';
