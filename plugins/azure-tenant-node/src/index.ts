/**
 * A typed client of the Azure tenant plugin's REST API, generated from its OpenAPI file, for other backend
 * plugins (through {@link azureTenantClientServiceRef}) and for scripts (through {@link createAzureTenantClient});
 * and the conditions on budgets for permission policies ({@link budgetConditions}).
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
export * from './schema/openapi';
