import { isAzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { readAzureTenantCatalogConfig } from './AzureTenantCatalogConfig';
import { DEFAULT_AZURE_TENANT_ENTITIES } from './entityGranularity';

function read(azureTenant: JsonObject | undefined) {
  return readAzureTenantCatalogConfig(
    new ConfigReader(
      azureTenant ? { catalog: { providers: { azureTenant } } } : {},
    ),
  );
}

describe('readAzureTenantCatalogConfig', () => {
  it('has documented defaults, and no default owner', () => {
    expect(read(undefined)).toEqual({
      ownerTagKey: 'owner',
      defaultOwner: undefined,
      schedule: {
        frequency: { seconds: 30 },
        timeout: { minutes: 10 },
        initialDelay: { seconds: 30 },
      },
      reconcileInterval: { hours: 6 },
      entities: {
        level: 'resources',
        resourceTypes: { presets: [], include: [], exclude: [] },
        overrides: [],
      },
    });
  });

  it('reads catalog.providers.azureTenant, in every duration format', () => {
    expect(
      read({
        ownerTagKey: 'team',
        defaultOwner: 'azure-admins',
        schedule: { frequency: '1m', timeout: 'PT5M' },
        reconcileInterval: { hours: 12 },
      }),
    ).toEqual({
      ownerTagKey: 'team',
      defaultOwner: 'group:default/azure-admins',
      schedule: { frequency: { minutes: 1 }, timeout: { minutes: 5 } },
      reconcileInterval: { hours: 12 },
      entities: DEFAULT_AZURE_TENANT_ENTITIES,
    });
    expect(read({ reconcileInterval: 'PT2H' }).reconcileInterval).toEqual({
      hours: 2,
    });
    expect(
      read({ schedule: { frequency: { cron: '*/5 * * * *' }, timeout: '1m' } })
        .schedule.frequency,
    ).toEqual({ cron: '*/5 * * * *' });
  });

  it.each([
    [
      { defaultOwner: 'component:default/x' },
      /catalog.providers.azureTenant.defaultOwner must refer to a group or a user/,
    ],
    [{ defaultOwner: 'group:' }, /catalog.providers.azureTenant.defaultOwner/],
    [
      { schedule: { frequency: 'often', timeout: '1m' } },
      /catalog.providers.azureTenant.schedule is not a valid schedule/,
    ],
    [
      { schedule: { frequency: '1m', timeout: '1m', scope: 'global' } },
      /catalog.providers.azureTenant.schedule.scope must be 'local'/,
    ],
    [
      { pollInterval: '30s' },
      /catalog.providers.azureTenant.pollInterval is replaced by catalog.providers.azureTenant.schedule/,
    ],
    [
      { reconcileInterval: { seconds: 0 } },
      /catalog.providers.azureTenant.reconcileInterval must be longer than zero/,
    ],
    [{ ownerTagKey: ' ' }, /catalog.providers.azureTenant.ownerTagKey/],
  ])('rejects %j with a message naming the key', (azureTenant, message) => {
    let error: unknown;
    try {
      read(azureTenant as JsonObject);
    } catch (e) {
      error = e;
    }
    expect(isAzureTenantConfigError(error)).toBe(true);
    expect(String(error)).toMatch(message);
  });

  describe('the deprecated azureTenant.catalog', () => {
    it('is still read, with pollInterval as the schedule, and a warning naming the new key', () => {
      const logger = mockServices.logger.mock();
      const config = readAzureTenantCatalogConfig(
        new ConfigReader({
          azureTenant: {
            catalog: { defaultOwner: 'azure-admins', pollInterval: '5s' },
          },
        }),
        { logger },
      );
      expect(config).toMatchObject({
        defaultOwner: 'group:default/azure-admins',
        schedule: {
          frequency: { seconds: 5 },
          initialDelay: { seconds: 5 },
          timeout: { minutes: 10 },
        },
      });
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /azureTenant.catalog is deprecated.*catalog.providers.azureTenant/,
        ),
      );
    });

    it('names the deprecated key in errors', () => {
      expect(() =>
        readAzureTenantCatalogConfig(
          new ConfigReader({
            azureTenant: { catalog: { pollInterval: 'often' } },
          }),
        ),
      ).toThrow(/azureTenant.catalog.pollInterval must be a duration/);
    });

    it('is ignored, with a warning, when catalog.providers.azureTenant is set', () => {
      const logger = mockServices.logger.mock();
      const config = readAzureTenantCatalogConfig(
        new ConfigReader({
          azureTenant: { catalog: { defaultOwner: 'old' } },
          catalog: { providers: { azureTenant: { defaultOwner: 'new' } } },
        }),
        { logger },
      );
      expect(config.defaultOwner).toBe('group:default/new');
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(/azureTenant.catalog is ignored/),
      );
    });
  });
});
