import { ConfigReader } from '@backstage/config';
import { readAzureTenantCatalogConfig } from './AzureTenantCatalogConfig';

function read(catalog: object | undefined) {
  return readAzureTenantCatalogConfig(
    new ConfigReader(catalog ? { azureTenant: { catalog } } : {}),
  );
}

describe('readAzureTenantCatalogConfig', () => {
  it('has documented defaults', () => {
    expect(read(undefined)).toEqual({
      ownerTagKey: 'owner',
      defaultOwner: 'group:default/azure-tenant-unowned',
      pollInterval: { seconds: 30 },
      reconcileInterval: { hours: 6 },
    });
  });

  it('reads every key, in every duration format', () => {
    expect(
      read({
        ownerTagKey: 'team',
        defaultOwner: 'azure-admins',
        pollInterval: '1m',
        reconcileInterval: { hours: 12 },
      }),
    ).toEqual({
      ownerTagKey: 'team',
      defaultOwner: 'group:default/azure-admins',
      pollInterval: { minutes: 1 },
      reconcileInterval: { hours: 12 },
    });
    expect(read({ reconcileInterval: 'PT2H' }).reconcileInterval).toEqual({
      hours: 2,
    });
  });

  it.each([
    [{ defaultOwner: 'component:default/x' }, /defaultOwner.*group or a user/],
    [{ defaultOwner: 'group:' }, /defaultOwner/],
    [{ pollInterval: 'often' }, /pollInterval/],
    [{ pollInterval: { seconds: 0 } }, /pollInterval.*longer than zero/],
    [{ ownerTagKey: ' ' }, /ownerTagKey/],
  ])('rejects %j with a message naming the key', (catalog, message) => {
    expect(() => read(catalog)).toThrow(message);
  });
});
