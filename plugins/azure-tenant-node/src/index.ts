/**
 * A typed client of the Azure tenant plugin's REST API, generated from its OpenAPI file, for other backend
 * plugins (through {@link azureTenantClientServiceRef}) and for scripts (through {@link createAzureTenantClient});
 * the conditions on budgets for permission policies ({@link budgetConditions}); and the directory that resolves
 * owner tag values to catalog groups and users ({@link AzureOwnerDirectory}), shared by the catalog module and the
 * backend plugin.
 *
 * @packageDocumentation
 */

export {
  createAzureTenantClient,
  type AzureTenantClientOptions,
} from './client/createAzureTenantClient';
export {
  createAzureTenantClientForCredentials,
  type AzureTenantClientForCredentialsOptions,
} from './client/createAzureTenantClientForCredentials';
export {
  azureTenantClientServiceRef,
  type AzureTenantClientService,
} from './client/azureTenantClientServiceRef';
export {
  budgetConditions,
  budgetPermissionResourceRef,
  budgetPermissionRules,
  createBudgetConditionalDecision,
  isBudgetOwner,
  type BudgetQuery,
} from './budgetConditions';
export {
  AzureOwnerDirectory,
  loadAzureOwnerDirectory,
} from './AzureOwnerDirectory';
export * from './schema/openapi';
