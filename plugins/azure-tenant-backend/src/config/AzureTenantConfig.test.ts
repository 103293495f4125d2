import { ConfigReader } from '@backstage/config';
import { AzureConnection } from '../azure/azureConnection';
import { readAzureTenantConfig } from './AzureTenantConfig';

function read(extra: Record<string, unknown>) {
  return readAzureTenantConfig(
    new ConfigReader({
      app: { baseUrl: 'http://localhost:3000' },
      backend: { baseUrl: 'http://localhost:7007' },
      azureTenant: {
        clientId: '00000000-0000-4000-8000-000000000001',
        clientSecret: 'secret',
        ...extra,
      },
    }),
  );
}

describe('azureTenant.requestTimeout', () => {
  it('defaults to 60 seconds per try', () => {
    const config = read({})!;
    expect(config.requestTimeoutMs).toBeUndefined();
    expect(new AzureConnection(config).requestTimeoutMs).toBe(60_000);
  });

  it('takes a duration, or an ISO 8601 one, or 0 for none', () => {
    expect(read({ requestTimeout: { seconds: 20 } })!.requestTimeoutMs).toBe(
      20_000,
    );
    expect(read({ requestTimeout: 'PT2M' })!.requestTimeoutMs).toBe(120_000);
    const none = read({ requestTimeout: 0 })!;
    expect(none.requestTimeoutMs).toBe(0);
    expect(new AzureConnection(none).requestTimeoutMs).toBe(0);
  });

  it('refuses what is not a duration of at least a second, naming the key', () => {
    expect(() => read({ requestTimeout: { milliseconds: 10 } })).toThrow(
      /azureTenant.requestTimeout must be at least a second/,
    );
    expect(() => read({ requestTimeout: 'soon' })).toThrow(
      /azureTenant.requestTimeout must be a duration/,
    );
  });
});
