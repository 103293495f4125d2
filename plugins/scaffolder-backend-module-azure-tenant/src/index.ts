/**
 * Scaffolder actions for software templates that tag the Azure resources a template created, through the Azure
 * tenant plugin and as the template's initiator.
 *
 * @packageDocumentation
 */

export { scaffolderModuleAzureTenant as default } from './module';
export {
  createAzureTenantTagsApplyAction,
  type AzureTenantTagsApplyActionOptions,
} from './actions/tagsApply';
