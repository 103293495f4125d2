/**
 * The Azure tenant frontend plugin for Backstage's new frontend system.
 *
 * @packageDocumentation
 */

export { default } from './alpha/plugin';
export { azureTenantApi } from './alpha/apis';
export { azureTenantsPage } from './alpha/pages';
export {
  entityAzureSpendContent,
  entityAzureResourceSpendCard,
  entityGroupSpendCard,
} from './alpha/entitySpend';
export {
  entityAzureTagsContent,
  entityAzureResourceTagsCard,
} from './alpha/entityTags';
export { entityAzureAccessWarningCard } from './alpha/entityAccess';
export { azureBudgetsPage, entityGroupBudgetsCard } from './alpha/budgets';
export {
  azureShowbackPage,
  entityGroupShowbackContent,
} from './alpha/showback';
export { azureTagCompliancePage } from './alpha/tagCompliance';
export {
  entityAzureTagComplianceCard,
  entityGroupTagComplianceCard,
} from './alpha/tagComplianceCards';
export {
  entityAzureSavingsCard,
  entityGroupSavingsCard,
} from './alpha/savings';
