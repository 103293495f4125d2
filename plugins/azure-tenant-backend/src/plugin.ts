import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  actionsRegistryServiceRef,
  metricsServiceRef,
} from '@backstage/backend-plugin-api/alpha';
import {
  azureTenantPermissions,
  DEFAULT_SYNC_MODE,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureConnection } from './azure/azureConnection';
import { resolveRoles } from './azure/builtInRoles';
import { readAzureTenantSetup } from './config/AzureTenantConfig';
import { AzureTenantStore } from './database/AzureTenantStore';
import { DatabaseAzureTenantStore } from './database/DatabaseAzureTenantStore';
import { migrateDatabase } from './database/migrations';
import { StaticTenantConfig } from './config/AzureTenantConfig';
import { OnboardingService } from './onboarding/OnboardingService';
import { createRouter } from './service/router';
import {
  SubscriptionOperations,
  SubscriptionOperationsOptions,
} from './service/SubscriptionOperations';
import { registerAzureTenantActions } from './actions/registerAzureTenantActions';
import { registerResourceActions } from './actions/resourceActions';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { loadAzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { DatabaseResourceStore } from './database/DatabaseResourceStore';
import { ResourceSyncer } from './sync/ResourceSyncer';
import { ChangeFeedSyncer } from './sync/changeFeed/ChangeFeedSyncer';
import { createResourceChangeReader } from './sync/changeFeed/resourceChangeQueries';
import {
  RESOURCE_SYNC_TASK_ID,
  ResourceSyncService,
} from './sync/ResourceSyncService';
import { lostAccessRetryDelayMs, readSyncConfig } from './sync/SyncConfig';
import { DatabaseSyncClaims } from './sync/claims/DatabaseSyncClaims';
import { DatabaseQuotaBudget } from './azure/quota/DatabaseQuotaBudget';
import { readQuotaConfig } from './azure/quota/QuotaConfig';
import { durationToMilliseconds } from '@backstage/types';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { BudgetEvaluationService } from './budgets/BudgetEvaluationService';
import { DatabaseBudgetStore } from './budgets/DatabaseBudgetStore';
import { BudgetOperations } from './budgets/BudgetOperations';
import { BudgetScopeResolver } from './budgets/BudgetScopeResolver';
import { createBudgetsRouter } from './budgets/createBudgetsRouter';
import { syncDeclaredBudgets } from './budgets/declaredBudgets';
import { registerBudgetResourceType } from './budgets/budgetPermissionRules';
import { ExchangeRates } from './budgets/exchangeRates';
import { createBudgetAlertsRouter } from './budgets/createBudgetAlertsRouter';
import { BudgetAlertOperations } from './budgets/BudgetAlertOperations';
import {
  createCostManagementReader,
  createSpendRouter,
  DatabaseSpendStore,
  readSpendConfig,
  registerSpendSync,
  SpendOperations,
  SpendOperationsOptions,
  SpendQueryService,
  SpendSyncService,
  SPEND_SYNC_TASK_ID,
} from './spend';
import { triggerTaskSoon } from './scheduling/triggerTask';
import { createResourcesRouter, ResourceSearch } from './resources';
import { AzureTenantMetrics } from './metrics/azureTenantMetrics';
import {
  createAzureTagsClient,
  createTagsRouter,
  TagOperations,
  TagOperationsOptions,
  TagService,
} from './tags';
import {
  createAdvisorReader,
  createSavingsRouter,
  DatabaseSavingsStore,
  readSavingsConfig,
  registerSavingsSync,
  SavingsOperations,
  SavingsSyncService,
  SAVINGS_SYNC_TASK_ID,
} from './savings';
import {
  AzureBudgetOperations,
  createAzureBudgetReader,
  createAzureBudgetsRouter,
} from './budgets/azure';
import {
  createShowbackRouter,
  ShowbackOperations,
  ShowbackOperationsOptions,
} from './showback';
import {
  AzureTagPolicySyncService,
  AZURE_TAG_POLICY_SYNC_TASK_ID,
  createAzureTagPolicyReader,
  createTagPoliciesRouter,
  DatabaseAzureTagPolicyAssignmentStore,
  DatabaseTagPolicyStore,
  registerAzureTagPolicySync,
  syncDeclaredTagPolicies,
  TagPolicyOperations,
} from './governance/policies';
import {
  DatabaseComplianceStore,
  TagComplianceService,
} from './governance/compliance';
import {
  ArmTokenBuckets,
  createTagFixesRouter,
  DatabaseTagFixJobStore,
  readTagFixConfig,
  TagFixOperations,
  TagFixPlanner,
  TagFixRunner,
  TagFixService,
  TAG_FIX_TASK_ID,
} from './governance/fixes';
import {
  createTagComplianceRouter,
  TagComplianceOperations,
} from './governance/complianceApi';

/** Registers the tenants and subscriptions declared in config; their sync modes set in the portal are kept. */
async function registerStaticTenants(
  store: AzureTenantStore,
  tenants: StaticTenantConfig[],
) {
  const at = new Date();
  for (const tenant of tenants) {
    await store.register(
      {
        tenantId: tenant.tenantId,
        displayName: tenant.displayName,
        source: 'config',
        at,
      },
      tenant.subscriptions.map(subscription => ({
        subscriptionId: subscription.subscriptionId,
        tenantId: tenant.tenantId,
        displayName: subscription.displayName ?? subscription.subscriptionId,
        source: 'config' as const,
        grantedRoles: [],
        roleStatus: 'unknown' as const,
        initialSyncMode: subscription.syncMode ?? DEFAULT_SYNC_MODE,
        at,
      })),
    );
  }
}

/**
 * The Azure tenant backend plugin: it connects Azure tenants to the portal.
 *
 * @public
 */
export const azureTenantPlugin = createBackendPlugin({
  pluginId: 'azure-tenant',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        events: eventsServiceRef,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        metricsService: metricsServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        notifications: notificationService,
      },
      async init({
        config,
        logger,
        database,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        auditor,
        scheduler,
        lifecycle,
        events,
        auth,
        catalog,
        metricsService,
        actionsRegistry,
        notifications,
      }) {
        // Read at startup, so that a wrong value stops the backend with a clear message; a missing app
        // registration only leaves the plugin not configured.
        const setup = readAzureTenantSetup(config);
        const azureTenantConfig = setup.configured ? setup.config : undefined;
        const notConfiguredReason = setup.configured ? undefined : setup.reason;
        const syncConfig = readSyncConfig(config);
        const knex = await database.getClient();
        // Once, before any store: no store depends on another having been made first.
        await migrateDatabase(knex, { skip: database.migrations?.skip });
        const store = new DatabaseAzureTenantStore(knex);
        const resources = new DatabaseResourceStore(knex);
        const spendStore = new DatabaseSpendStore(knex);
        const savingsStore = new DatabaseSavingsStore(knex);
        const spendConfig = readSpendConfig(config);
        // Budgets are evaluated from the stored spend, so also while the plugin is not configured for Azure.
        const budgetStore = new DatabaseBudgetStore(knex);
        const budgetEvaluation = BudgetEvaluationService.create({
          knex,
          config,
          scheduler,
          logger,
          auditor,
          notifications,
          catalog,
          auth,
          spendStore,
          resources,
          budgets: budgetStore,
        });
        // Budgets kept in app-config, checked and stored before anything evaluates them: a wrong entry stops here.
        await syncDeclaredBudgets({ config, store: budgetStore, logger });
        // Tag policies kept in app-config, the same way: a wrong entry stops the backend here.
        const tagPolicyStore = new DatabaseTagPolicyStore(knex);
        await syncDeclaredTagPolicies({
          config,
          store: tagPolicyStore,
          logger,
        });
        const azureTagPolicies = new DatabaseAzureTagPolicyAssignmentStore(
          knex,
        );
        // Written by the compliance evaluation; read by the compliance API and for unallocated spend.
        const complianceStore = new DatabaseComplianceStore(knex);
        // Evaluated from the stored resources and the catalog's groups and users, so also while not configured.
        const tagCompliance = new TagComplianceService({
          store: complianceStore,
          resources,
          subscriptions: store,
          policies: tagPolicyStore,
          catalog,
          auth,
          config,
          scheduler,
          events,
          logger,
        });
        const budgetRuleset = registerBudgetResourceType(
          permissionsRegistry,
          budgetStore,
        );
        permissionsRegistry.addPermissions(azureTenantPermissions);
        // One set of instruments, shared by every service that measures (docs/operations.md lists them).
        const metrics = new AzureTenantMetrics(metricsService);

        let onboarding: OnboardingService | undefined;
        let sync: ResourceSyncService | undefined;
        // Replicas on one database share Azure's quotas through it (docs/operations.md, Several replicas).
        const connection = azureTenantConfig
          ? new AzureConnection(azureTenantConfig, {
              sharedQuota: {
                budget: new DatabaseQuotaBudget(knex),
                quotas: readQuotaConfig(config),
              },
            })
          : undefined;
        if (azureTenantConfig && connection) {
          // Every line of the syncs names its scheduler task.
          const syncLogger = logger.child({ taskId: RESOURCE_SYNC_TASK_ID });
          const resourceSyncer = new ResourceSyncer({
            connection,
            store: resources,
            config: syncConfig,
            logger: syncLogger,
            metrics,
          });
          sync = new ResourceSyncService({
            store,
            syncer: resourceSyncer,
            // Between full listings (reconcileInterval), a tenant's subscriptions are kept current from Resource
            // Graph's change feed (docs/operations.md, Incremental sync).
            batchSyncer: new ChangeFeedSyncer({
              syncer: resourceSyncer,
              store: resources,
              reader: createResourceChangeReader({ connection, metrics }),
              config: syncConfig,
              logger: syncLogger,
            }),
            scheduler,
            events,
            config: syncConfig,
            logger: syncLogger,
            metrics,
            // Replicas on one database share the subscriptions through it.
            claims: new DatabaseSyncClaims(knex),
          });
          lifecycle.addShutdownHook(() => sync?.stop());
          await registerStaticTenants(store, azureTenantConfig.tenants);
          onboarding = new OnboardingService({
            store,
            connection,
            roles: resolveRoles(azureTenantConfig.roles),
            logger,
            auditor,
            // The first resource and spend syncs of what was just connected.
            onSubscriptionsRegistered: async () => {
              await sync!.trigger();
              await triggerTaskSoon(scheduler, SPEND_SYNC_TASK_ID, logger);
              await triggerTaskSoon(scheduler, SAVINGS_SYNC_TASK_ID, logger);
            },
          });
          await sync.start();
          // Spend is collected under every sync mode, including `none`.
          await registerSpendSync({
            scheduler,
            logger,
            config: spendConfig,
            onSynced: budgetEvaluation.afterSpendSync,
            syncService: new SpendSyncService({
              store: spendStore,
              logger: logger.child({ taskId: SPEND_SYNC_TASK_ID }),
              config: spendConfig,
              reader: createCostManagementReader({ connection, metrics }),
              metrics,
              // Lost access backs the spend sync off like the resource sync.
              access: {
                store,
                retryDelayMs: attempts =>
                  lostAccessRetryDelayMs(
                    attempts,
                    durationToMilliseconds(syncConfig.frequency),
                    durationToMilliseconds(syncConfig.lostAccessMaxInterval),
                  ),
              },
            }),
          });
          // Advisor's cost recommendations (not under `none`) and Azure's own budgets (under every mode).
          await registerSavingsSync({
            scheduler,
            logger,
            config: readSavingsConfig(config),
            syncService: new SavingsSyncService({
              store: savingsStore,
              subscriptions: store,
              advisor: createAdvisorReader({ connection, metrics }),
              azureBudgets: createAzureBudgetReader({
                connection,
                minRemainingReads: syncConfig.minRemainingReads,
                metrics,
              }),
              logger: logger.child({ taskId: SAVINGS_SYNC_TASK_ID }),
            }),
          });
          // Azure Policy's tag assignments, shown beside the portal's tag policies.
          await registerAzureTagPolicySync({
            scheduler,
            syncService: new AzureTagPolicySyncService({
              store: azureTagPolicies,
              subscriptions: store,
              reader: createAzureTagPolicyReader({
                connection,
                minRemainingReads: syncConfig.minRemainingReads,
                metrics,
              }),
              logger: logger.child({ taskId: AZURE_TAG_POLICY_SYNC_TASK_ID }),
            }),
          });
        } else {
          logger.warn(
            `The Azure tenant plugin is not configured, so tenants cannot be connected and nothing syncs: ${notConfiguredReason}`,
          );
        }

        // The REST API and the actions run the same operations on the same services (the tag service's queue of
        // changes per resource included): the same permission checks, errors and audit events either way.
        const subscriptionOptions: SubscriptionOperationsOptions = {
          store,
          sync,
          events,
          onboarding,
          permissions,
          auditor,
        };
        const spendOptions: SpendOperationsOptions = {
          store: spendStore,
          queryService: new SpendQueryService({
            store: spendStore,
            access: store,
            // A subscription's spend report says how much of it no team owns.
            compliance: complianceStore,
          }),
          permissions,
          catalog,
          auth,
        };
        const tagOptions: TagOperationsOptions = {
          tagService: new TagService({
            store,
            tags: resources,
            // Tag changes are the only writes the portal makes to Azure after onboarding.
            azure: connection
              ? createAzureTagsClient({ connection, metrics })
              : undefined,
            events,
            logger,
            metrics,
            access: store,
          }),
          permissions,
          auditor,
        };

        httpRouter.use(
          await createRouter({
            ...subscriptionOptions,
            resources,
            compliance: complianceStore,
            notConfiguredReason,
            portalUrl:
              azureTenantConfig?.onboarding.completionUrl ??
              `${config.getOptionalString('app.baseUrl') ?? ''}/azure-tenants`,
            httpAuth,
          }),
        );
        httpRouter.use(await createSpendRouter({ ...spendOptions, httpAuth }));
        httpRouter.use(await createTagsRouter({ ...tagOptions, httpAuth }));
        const budgetAlertOptions = {
          evaluations: budgetEvaluation.evaluations,
          budgets: budgetStore,
          permissions,
        };
        httpRouter.use(
          await createBudgetAlertsRouter({ ...budgetAlertOptions, httpAuth }),
        );
        const budgetOperations = new BudgetOperations({
          store: budgetStore,
          evaluations: budgetEvaluation.evaluations,
          subscriptions: store,
          spend: spendStore,
          scopes: new BudgetScopeResolver({ catalog, auth, resources }),
          catalog,
          auth,
          permissions,
          ruleset: budgetRuleset,
          auditor,
          exchangeRates: ExchangeRates.fromConfig(config),
          onBudgetChanged: budgetEvaluation.onBudgetChanged,
          logger,
        });
        httpRouter.use(
          await createBudgetsRouter({ operations: budgetOperations, httpAuth }),
        );
        await budgetEvaluation.start();
        // A policy change is evaluated soon, rather than at the next run.
        const tagPolicyOperations = new TagPolicyOperations({
          store: tagPolicyStore,
          azurePolicies: azureTagPolicies,
          subscriptions: store,
          permissions,
          auditor,
          onPoliciesChanged: tagCompliance.onPoliciesChanged,
          logger,
        });
        await tagCompliance.start();
        httpRouter.use(
          await createTagPoliciesRouter({
            operations: tagPolicyOperations,
            httpAuth,
          }),
        );
        const tagComplianceOperations = new TagComplianceOperations({
          compliance: complianceStore,
          permissions,
        });
        httpRouter.use(
          await createTagComplianceRouter({
            operations: tagComplianceOperations,
            httpAuth,
          }),
        );
        // Suggested tag fixes: planned from the stored compliance, applied in the background through the tag write
        // path (the same TagService and its queue per resource), within ARM's limits per subscription.
        const tagFixConfig = readTagFixConfig(config);
        const tagFixJobs = new DatabaseTagFixJobStore(knex);
        const tagFixService = new TagFixService({
          scheduler,
          logger,
          runner: new TagFixRunner({
            store: tagFixJobs,
            tagService: tagOptions.tagService,
            subscriptions: store,
            buckets: {
              reads: new ArmTokenBuckets(tagFixConfig.reads),
              writes: new ArmTokenBuckets(tagFixConfig.writes),
            },
            auditor,
            logger: logger.child({ taskId: TAG_FIX_TASK_ID }),
            concurrency: tagFixConfig.concurrency,
          }),
        });
        await tagFixService.start();
        // A replica that shuts down hands its bulk fix over at once, rather than when its lease runs out.
        lifecycle.addShutdownHook(() => tagFixService.stop());
        const tagFixOperations = new TagFixOperations({
          planner: new TagFixPlanner({
            compliance: complianceStore,
            resources,
            subscriptions: store,
            policies: tagPolicyStore,
            owners: () => loadAzureOwnerDirectory({ catalog, auth }),
            permissions,
          }),
          store: tagFixJobs,
          permissions,
          auditor,
          maxResources: tagFixConfig.maxResources,
          onJobCreated: tagFixService.trigger,
        });
        httpRouter.use(
          await createTagFixesRouter({
            operations: tagFixOperations,
            httpAuth,
          }),
        );
        // Showback reads the catalog's owners with the plugin's own credentials; callers see what they may.
        const showbackOptions: ShowbackOperationsOptions = {
          store: spendStore,
          catalog,
          auth,
          permissions,
        };
        httpRouter.use(
          await createShowbackRouter({ ...showbackOptions, httpAuth }),
        );
        const savings = new SavingsOperations({
          store: savingsStore,
          spendStore,
          permissions,
          catalog,
          auth,
        });
        const azureBudgets = new AzureBudgetOperations({
          store: savingsStore,
          subscriptions: store,
          permissions,
        });
        httpRouter.use(await createSavingsRouter({ savings, httpAuth }));
        httpRouter.use(
          await createAzureBudgetsRouter({ azureBudgets, httpAuth }),
        );
        // Behind GET /resources and the find-resources action.
        const resourceSearch = new ResourceSearch({
          resources,
          subscriptions: store,
          catalog,
          permissions,
        });
        httpRouter.use(
          await createResourcesRouter({ resourceSearch, httpAuth }),
        );
        registerAzureTenantActions(actionsRegistry, {
          subscriptions: new SubscriptionOperations(subscriptionOptions),
          tags: new TagOperations(tagOptions),
          spend: new SpendOperations(spendOptions),
          savings,
          azureBudgets,
          showback: new ShowbackOperations(showbackOptions),
          budgets: budgetOperations,
          budgetAlerts: new BudgetAlertOperations(budgetAlertOptions),
          tagPolicies: tagPolicyOperations,
          tagCompliance: tagComplianceOperations,
          tagFixes: tagFixOperations,
        });
        registerResourceActions(actionsRegistry, { resourceSearch });
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        httpRouter.addAuthPolicy({
          path: '/openapi.json',
          allow: 'unauthenticated',
        });
        httpRouter.addAuthPolicy({
          path: '/onboarding/callback',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
