import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { SpendOperations } from '../spend/SpendOperations';
import { SavingsOperations } from '../savings/SavingsOperations';
import { AzureBudgetOperations } from '../budgets/azure/AzureBudgetOperations';
import { SubscriptionOperations } from '../service/SubscriptionOperations';
import { TagOperations } from '../tags/TagOperations';
import { registerSpendActions } from './spendActions';
import { ShowbackOperations } from '../showback/ShowbackOperations';
import { registerShowbackActions } from './showbackActions';
import { registerSavingsActions } from './savingsActions';
import { registerSubscriptionActions } from './subscriptionActions';
import { registerTagActions } from './tagActions';
import { BudgetOperations } from '../budgets/BudgetOperations';
import { registerBudgetActions } from './budgetActions';
import { BudgetAlertOperations } from '../budgets/BudgetAlertOperations';
import { registerBudgetAlertActions } from './budgetAlertActions';
import { TagPolicyOperations } from '../governance/policies/TagPolicyOperations';
import { registerTagPolicyActions } from './tagPolicyActions';
import { TagComplianceOperations } from '../governance/complianceApi/TagComplianceOperations';
import { registerTagComplianceActions } from './tagComplianceActions';
import { TagFixOperations } from '../governance/fixes/TagFixOperations';
import { registerTagFixActions } from './tagFixActions';

/** The operations the plugin's actions run: the very ones its REST API runs. */
export interface AzureTenantActionsOptions {
  subscriptions: SubscriptionOperations;
  tags: TagOperations;
  spend: SpendOperations;
  showback: ShowbackOperations;
  savings: SavingsOperations;
  azureBudgets: AzureBudgetOperations;
  budgets: BudgetOperations;
  budgetAlerts: BudgetAlertOperations;
  tagPolicies: TagPolicyOperations;
  tagCompliance: TagComplianceOperations;
  tagFixes: TagFixOperations;
}

/**
 * Registers the plugin's reads and writes as actions (`azure-tenant:<name>`) in Backstage's actions registry, for
 * MCP clients, scaffolder templates and other plugins. Each runs for the caller's own credentials, with the REST
 * API's permission checks, errors and audit events.
 */
export function registerAzureTenantActions(
  registry: ActionsRegistryService,
  options: AzureTenantActionsOptions,
): void {
  registerSubscriptionActions(registry, options);
  registerTagActions(registry, options);
  registerSpendActions(registry, options);
  registerShowbackActions(registry, options);
  registerSavingsActions(registry, options);
  registerBudgetActions(registry, options);
  registerBudgetAlertActions(registry, options);
  registerTagPolicyActions(registry, options);
  registerTagComplianceActions(registry, options);
  registerTagFixActions(registry, options);
}
