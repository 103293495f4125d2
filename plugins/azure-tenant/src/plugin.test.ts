import { azureTenantPlugin } from './plugin';
import alphaPlugin from './alpha';

describe('azure-tenant frontend plugin', () => {
  it('has the same id in both frontend systems', () => {
    expect(azureTenantPlugin.getId()).toBe('azure-tenant');
    expect(alphaPlugin.id).toBe('azure-tenant');
  });
});
