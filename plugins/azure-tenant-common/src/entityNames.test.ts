import {
  azureResourceEntityName,
  azureSubscriptionEntityRef,
} from './entityNames';

const VALID_NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

describe('azureResourceEntityName', () => {
  it('is readable, stable and case-insensitive in the resource id', () => {
    const id =
      '/subscriptions/3f8c2a41-6d7e-4b59-9c1a-2e5f7d8b9a01/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm-web-01';
    const name = azureResourceEntityName(id);
    expect(name).toMatch(/^vm-web-01-[0-9a-f]{16}$/);
    expect(azureResourceEntityName(id.toUpperCase())).toBe(name);
  });

  it('tells apart resources of the same name in different groups', () => {
    const a = azureResourceEntityName(
      '/subscriptions/s/resourceGroups/a/providers/X.Y/z/db',
    );
    const b = azureResourceEntityName(
      '/subscriptions/s/resourceGroups/b/providers/X.Y/z/db',
    );
    expect(a).not.toBe(b);
  });

  it('gives a valid entity name for any Azure name', () => {
    const names = [
      'a'.repeat(260),
      'Ünïcødé Sérvér',
      '__--..',
      '日本語のリソース',
      'my.app_v2--prod.',
      '-leading-and-trailing-',
    ];
    for (const name of names) {
      const entityName = azureResourceEntityName(
        `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/${name}`,
      );
      expect(entityName).toMatch(VALID_NAME);
      expect(entityName.length).toBeLessThanOrEqual(63);
    }
  });
});

describe('the resource id hash', () => {
  it('is 64-bit FNV-1a: the published test vectors', () => {
    // FNV-1a 64 of "a" is af63dc4c8601ec8c, of "foobar" 85944171f73967e8; the name's suffix is that hash.
    expect(azureResourceEntityName('/x/a')).not.toBe(
      azureResourceEntityName('/x/b'),
    );
    const suffix = (id: string) => azureResourceEntityName(id).split('-').pop();
    expect(suffix('a')).toBe('af63dc4c8601ec8c');
    expect(suffix('foobar')).toBe('85944171f73967e8');
  });
});

describe('azureSubscriptionEntityRef', () => {
  it('names the subscription by its id', () => {
    expect(
      azureSubscriptionEntityRef('3F8C2A41-6D7E-4B59-9C1A-2E5F7D8B9A01'),
    ).toBe(
      'resource:default/azure-subscription-3f8c2a41-6d7e-4b59-9c1a-2e5f7d8b9a01',
    );
  });
});
