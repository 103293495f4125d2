import { isResourcePermission } from '@backstage/plugin-permission-common';
import { azureTenantPermissions } from './permissions';

describe('azureTenantPermissions', () => {
  it('names every permission under azure-tenant, once', () => {
    const names = azureTenantPermissions.map(p => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.every(n => n.startsWith('azure-tenant.'))).toBe(true);
  });

  it('scopes spend reads and tag edits to catalog entities, so owners can be checked', () => {
    const entityScoped = azureTenantPermissions
      .filter(p => isResourcePermission(p, 'catalog-entity'))
      .map(p => p.name);
    expect(entityScoped).toEqual([
      'azure-tenant.spend.read',
      'azure-tenant.tags.update',
    ]);
  });

  it('checks budget changes against the budget itself, so a policy can allow owners only', () => {
    const budgetScoped = azureTenantPermissions
      .filter(p => isResourcePermission(p, 'azure-tenant-budget'))
      .map(p => p.name);
    expect(budgetScoped).toEqual([
      'azure-tenant.budget.create',
      'azure-tenant.budget.update',
      'azure-tenant.budget.delete',
    ]);
  });
});
