import { AzureTenantApi } from '../api';

/**
 * An {@link AzureTenantApi} for tests: every method is a bare `jest.fn()`, and a test gives the methods it uses their
 * answers in `overrides`.
 */
export function mockAzureTenantApi(overrides: Partial<AzureTenantApi> = {}) {
  return {
    startOnboarding: jest.fn(),
    getOnboarding: jest.fn(),
    listTenants: jest.fn(),
    listSubscriptions: jest.fn(),
    setSyncMode: jest.fn(),
    requestSync: jest.fn(),
    getSpend: jest.fn(),
    downloadSpendCsv: jest.fn(),
    getTags: jest.fn(),
    updateTags: jest.fn(),
    bulkUpdateTags: jest.fn(),
    listBudgets: jest.fn(),
    getBudget: jest.fn(),
    createBudget: jest.fn(),
    updateBudget: jest.fn(),
    deleteBudget: jest.fn(),
    muteBudget: jest.fn(),
    listBudgetAlerts: jest.fn(),
    listAzureBudgets: jest.fn(),
    getShowback: jest.fn(),
    downloadShowbackCsv: jest.fn(),
    getSavings: jest.fn(),
    listTagPolicies: jest.fn(),
    createTagPolicy: jest.fn(),
    updateTagPolicy: jest.fn(),
    deleteTagPolicy: jest.fn(),
    listAzureTagPolicies: jest.fn(),
    getTagComplianceSummary: jest.fn(),
    getTagComplianceTeams: jest.fn(),
    listTagCompliance: jest.fn(),
    getResourceTagCompliance: jest.fn(),
    previewTagFixes: jest.fn(),
    applyTagFixes: jest.fn(),
    getTagFixJob: jest.fn(),
    listSubscriptionResources: jest.fn(),
    ...overrides,
  } satisfies AzureTenantApi;
}
