import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { isAzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureConnection } from '../azure/azureConnection';
import {
  readAzureTenantConfig,
  readAzureTenantSetup,
} from './AzureTenantConfig';

const APP = {
  clientId: '00000000-0000-4000-8000-000000000001',
  clientSecret: 'secret',
};

function root(azureTenant?: JsonObject) {
  return new ConfigReader({
    app: { baseUrl: 'http://localhost:3000' },
    backend: { baseUrl: 'http://localhost:7007' },
    ...(azureTenant ? { azureTenant } : {}),
  });
}

function read(extra: JsonObject) {
  return readAzureTenantConfig(root({ ...APP, ...extra }));
}

function errorOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('azureTenant.requestTimeout', () => {
  it('defaults to 60 seconds per try', () => {
    const config = read({})!;
    expect(config.requestTimeoutMs).toBeUndefined();
    expect(new AzureConnection(config).requestTimeoutMs).toBe(60_000);
  });

  it('takes a duration object, an ISO 8601 duration, a 30s-style string, or 0 for none', () => {
    expect(read({ requestTimeout: { seconds: 20 } })!.requestTimeoutMs).toBe(
      20_000,
    );
    expect(read({ requestTimeout: 'PT2M' })!.requestTimeoutMs).toBe(120_000);
    expect(read({ requestTimeout: '45s' })!.requestTimeoutMs).toBe(45_000);
    const none = read({ requestTimeout: 0 })!;
    expect(none.requestTimeoutMs).toBe(0);
    expect(new AzureConnection(none).requestTimeoutMs).toBe(0);
  });

  it('refuses what is not a duration of at least a second, naming the key', () => {
    expect(() => read({ requestTimeout: { milliseconds: 10 } })).toThrow(
      /azureTenant.requestTimeout must be at least 1 second/,
    );
    const error = errorOf(() => read({ requestTimeout: 'soon' }));
    expect(isAzureTenantConfigError(error)).toBe(true);
    expect(error).toMatchObject({ key: 'azureTenant.requestTimeout' });
    expect(String(error)).toMatch(
      /azureTenant.requestTimeout must be a duration/,
    );
  });
});

describe('azureTenant.onboarding.principalNotFoundRetryDelay', () => {
  const delayOf = (onboarding: object) =>
    read({ onboarding })!.onboarding.principalNotFoundRetryDelayMs;

  it('takes a duration and defaults to 2 seconds', () => {
    expect(delayOf({})).toBe(2000);
    expect(delayOf({ principalNotFoundRetryDelay: { seconds: 5 } })).toBe(5000);
    expect(delayOf({ principalNotFoundRetryDelay: '500ms' })).toBe(500);
  });

  it('still reads the number of milliseconds in principalNotFoundRetryDelayMs', () => {
    expect(delayOf({ principalNotFoundRetryDelayMs: 10 })).toBe(10);
  });

  it('refuses both keys at once, and a bad duration, naming the key', () => {
    expect(() =>
      delayOf({
        principalNotFoundRetryDelayMs: 10,
        principalNotFoundRetryDelay: '1s',
      }),
    ).toThrow(/azureTenant.onboarding.principalNotFoundRetryDelayMs must not/);
    expect(() => delayOf({ principalNotFoundRetryDelay: 'later' })).toThrow(
      /azureTenant.onboarding.principalNotFoundRetryDelay must be a duration/,
    );
  });
});

describe('readAzureTenantSetup', () => {
  it('is not configured, with the reason, without the app registration', () => {
    expect(readAzureTenantSetup(root())).toEqual({
      configured: false,
      reason: 'azureTenant is not set',
    });
    expect(
      readAzureTenantSetup(root({ sync: { frequency: '2h' } })),
    ).toMatchObject({
      configured: false,
      reason: expect.stringMatching(/azureTenant.clientId is not set/),
    });
    expect(
      readAzureTenantSetup(root({ clientId: APP.clientId })),
    ).toMatchObject({
      configured: false,
      reason: expect.stringMatching(/azureTenant.clientSecret/),
    });
  });

  it('still fails on a wrong setting while the app registration is missing', () => {
    expect(() =>
      readAzureTenantSetup(root({ requestTimeout: 'whenever' })),
    ).toThrow(/azureTenant.requestTimeout/);
  });

  it('refuses a client secret and a certificate together', () => {
    expect(() => read({ clientCertificate: 'pem' })).toThrow(
      /azureTenant.clientCertificate must not be given together with azureTenant.clientSecret/,
    );
  });
});
