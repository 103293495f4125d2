import { ConfigReader } from '@backstage/config';
import { DEFAULT_AZURE_QUOTAS } from './AzureQuotas';
import { readQuotaConfig } from './QuotaConfig';

const read = (quotas: unknown) =>
  readQuotaConfig(new ConfigReader({ azureTenant: { quotas } } as any));

describe('readQuotaConfig', () => {
  it('keeps the defaults for what is not set', () => {
    expect(readQuotaConfig(new ConfigReader({}))).toEqual(DEFAULT_AZURE_QUOTAS);
    expect(
      read({
        armReads: { capacity: 100 },
        costManagement: { perHour: { refillPerSecond: 0.1 } },
      }),
    ).toEqual({
      ...DEFAULT_AZURE_QUOTAS,
      armReads: { capacity: 100, refillPerSecond: 22.5 },
      costManagement: {
        ...DEFAULT_AZURE_QUOTAS.costManagement,
        perHour: { capacity: 50, refillPerSecond: 0.1 },
      },
    });
    expect(read({ enabled: false }).enabled).toBe(false);
  });

  it('names the key of a wrong value', () => {
    expect(() => read({ armReads: { capacity: 0 } })).toThrow(
      'azureTenant.quotas.armReads.capacity',
    );
    expect(() => read({ resourceGraph: { refillPerSecond: 0 } })).toThrow(
      'azureTenant.quotas.resourceGraph.refillPerSecond',
    );
    expect(() =>
      read({ costManagement: { perMinute: { capacity: 'many' } } }),
    ).toThrow('azureTenant.quotas.costManagement.perMinute.capacity');
    expect(() => read({ enabled: 'maybe' })).toThrow(
      'azureTenant.quotas.enabled',
    );
  });
});
