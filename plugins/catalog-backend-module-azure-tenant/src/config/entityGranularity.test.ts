import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { readAzureTenantCatalogConfig } from './AzureTenantCatalogConfig';
import { EntityGranularityResolver } from './entityGranularity';

const TENANT = '11111111-1111-1111-1111-111111111111';
const OTHER_TENANT = '33333333-3333-3333-3333-333333333333';
const SUBSCRIPTION = '22222222-2222-2222-2222-222222222222';
const OTHER_SUBSCRIPTION = '44444444-4444-4444-4444-444444444444';

function entities(value: JsonObject) {
  return readAzureTenantCatalogConfig(
    new ConfigReader({
      catalog: { providers: { azureTenant: { entities: value } } },
    }),
  ).entities;
}

describe('catalog.providers.azureTenant.entities', () => {
  it('reads the level, the type lists and the overrides', () => {
    expect(
      entities({
        level: 'resource-groups',
        resourceTypes: {
          presets: ['child-resources'],
          include: ['Microsoft.Compute/virtualMachines'],
          exclude: ['microsoft.web/serverfarms'],
        },
        overrides: [
          { subscriptionId: SUBSCRIPTION, level: 'resources' },
          { tenantId: TENANT, resourceTypes: { presets: ['alerting'] } },
        ],
      }),
    ).toEqual({
      level: 'resource-groups',
      resourceTypes: {
        presets: ['child-resources'],
        include: ['Microsoft.Compute/virtualMachines'],
        exclude: ['microsoft.web/serverfarms'],
      },
      overrides: [
        { subscriptionId: SUBSCRIPTION, level: 'resources' },
        {
          tenantId: TENANT,
          resourceTypes: { presets: ['alerting'], include: [], exclude: [] },
        },
      ],
    });
  });

  it.each([
    [
      { level: 'everything' },
      "catalog.providers.azureTenant.entities.level must be one of resources, resource-groups, subscriptions, got 'everything'",
    ],
    [
      { resourceTypes: { presets: ['child-resources', 'extensions'] } },
      "catalog.providers.azureTenant.entities.resourceTypes.presets[1] is not a preset: 'extensions'; the presets are child-resources, networking-plumbing, alerting",
    ],
    [
      { resourceTypes: { exclude: ['virtual machines'] } },
      "catalog.providers.azureTenant.entities.resourceTypes.exclude[0] must be an ARM resource type such as Microsoft.Compute/virtualMachines, got 'virtual machines'",
    ],
    [
      { overrides: [{ level: 'subscriptions' }] },
      'catalog.providers.azureTenant.entities.overrides[0] must name either a tenantId or a subscriptionId (one of them, not both)',
    ],
    [
      {
        overrides: [
          {
            tenantId: TENANT,
            subscriptionId: SUBSCRIPTION,
            level: 'resources',
          },
        ],
      },
      'catalog.providers.azureTenant.entities.overrides[0] must name either a tenantId or a subscriptionId (one of them, not both)',
    ],
    [
      { overrides: [{ subscriptionId: 'production', level: 'resources' }] },
      "catalog.providers.azureTenant.entities.overrides[0].subscriptionId must be a GUID, got 'production'",
    ],
    [
      { overrides: [{ tenantId: TENANT }] },
      'catalog.providers.azureTenant.entities.overrides[0] must set level or resourceTypes, or both',
    ],
    [
      {
        overrides: [
          { tenantId: TENANT, level: 'resources' },
          { tenantId: TENANT.toUpperCase(), level: 'subscriptions' },
        ],
      },
      'catalog.providers.azureTenant.entities.overrides[1] names the same tenant as catalog.providers.azureTenant.entities.overrides[0]; merge them into one',
    ],
    [
      { overrides: [{ subscriptionId: SUBSCRIPTION, level: 'rgs' }] },
      "catalog.providers.azureTenant.entities.overrides[0].level must be one of resources, resource-groups, subscriptions, got 'rgs'",
    ],
  ])('refuses %j, naming the key', (value, message) => {
    expect(() => entities(value as JsonObject)).toThrow(message);
  });

  describe('EntityGranularityResolver', () => {
    const resolver = new EntityGranularityResolver(
      entities({
        level: 'resources',
        resourceTypes: { presets: ['child-resources'] },
        overrides: [
          { tenantId: OTHER_TENANT, level: 'resource-groups' },
          {
            subscriptionId: OTHER_SUBSCRIPTION.toUpperCase(),
            resourceTypes: { include: ['Microsoft.Compute/virtualMachines'] },
          },
        ],
      }),
    );

    it('leaves out the types of a preset, whatever their casing', () => {
      const granularity = resolver.resolve(SUBSCRIPTION, TENANT);
      expect(granularity.level).toBe('resources');
      expect(
        granularity.includesType('Microsoft.Compute/virtualMachines'),
      ).toBe(true);
      expect(granularity.includesType('microsoft.compute/DISKS')).toBe(false);
      expect(
        granularity.includesType('Microsoft.Network/networkInterfaces'),
      ).toBe(false);
    });

    it("takes a tenant's override, and a subscription's over its tenant's", () => {
      expect(resolver.resolve(SUBSCRIPTION, OTHER_TENANT).level).toBe(
        'resource-groups',
      );
      // No resource becomes an entity below the level resources.
      expect(
        resolver
          .resolve(SUBSCRIPTION, OTHER_TENANT)
          .includesType('Microsoft.Compute/virtualMachines'),
      ).toBe(false);
      const subscription = resolver.resolve(OTHER_SUBSCRIPTION, OTHER_TENANT);
      expect(subscription.level).toBe('resource-groups');
      const inDefaultTenant = resolver.resolve(OTHER_SUBSCRIPTION, TENANT);
      expect(inDefaultTenant.level).toBe('resources');
      // The subscription's own type list replaces the default one, preset included.
      expect(inDefaultTenant.includesType('Microsoft.Compute/disks')).toBe(
        false,
      );
      expect(
        inDefaultTenant.includesType('Microsoft.Compute/virtualMachines'),
      ).toBe(true);
      expect(inDefaultTenant.includesType('Microsoft.Web/sites')).toBe(false);
    });
  });
});
