import { AzureTenantMetrics } from './azureTenantMetrics';
import { recordingMetricsService } from './__testUtils__/recordingMetricsService';

const TENANT = '4A1E5C1D-7F6B-4D2C-9A3E-1B2C3D4E5F60';
const tenant = TENANT.toLowerCase();

describe('AzureTenantMetrics', () => {
  it('makes each instrument once, with the names docs/operations.md lists', () => {
    const recorded = recordingMetricsService();
    // eslint-disable-next-line no-new
    new AzureTenantMetrics(recorded.service);
    expect(recorded.instruments()).toEqual({
      'azure_tenant.resource_sync.runs': 'counter',
      'azure_tenant.resource_sync.failures': 'counter',
      'azure_tenant.resource_sync.duration': 'histogram',
      'azure_tenant.resource_sync.resources_read': 'counter',
      'azure_tenant.resource_sync.resources_written': 'counter',
      'azure_tenant.spend_sync.runs': 'counter',
      'azure_tenant.spend_sync.failures': 'counter',
      'azure_tenant.spend_sync.duration': 'histogram',
      'azure_tenant.spend_sync.rows_read': 'counter',
      'azure_tenant.spend_sync.rows_written': 'counter',
      'azure_tenant.azure.throttled_requests': 'counter',
      'azure_tenant.azure.throttle_wait': 'histogram',
      'azure_tenant.tags.changes': 'counter',
      'azure_tenant.tags.conflicts': 'counter',
    });
  });

  it('records a sync under its lower-case tenant, its duration in seconds, and a failure under its reason', () => {
    const recorded = recordingMetricsService();
    const metrics = new AzureTenantMetrics(recorded.service);

    metrics.recordResourceSync({
      tenantId: TENANT,
      outcome: 'succeeded',
      durationMs: 2500,
      read: 120,
      written: 7,
    });
    metrics.recordResourceSync({
      tenantId: TENANT,
      outcome: 'failed',
      durationMs: 300,
      read: 0,
      written: 0,
      reason: 'read-denied',
    });

    expect(
      recorded.sum('azure_tenant.resource_sync.runs', {
        tenant,
        outcome: 'succeeded',
      }),
    ).toBe(1);
    expect(
      recorded.sum('azure_tenant.resource_sync.failures', {
        tenant,
        reason: 'read-denied',
      }),
    ).toBe(1);
    expect(
      recorded.values('azure_tenant.resource_sync.duration', { tenant }),
    ).toEqual([2.5, 0.3]);
    expect(
      recorded.sum('azure_tenant.resource_sync.resources_read', { tenant }),
    ).toBe(120);
    expect(
      recorded.sum('azure_tenant.resource_sync.resources_written', { tenant }),
    ).toBe(7);
    // Only bounded attributes: no subscription, resource or message.
    for (const name of [
      'azure_tenant.resource_sync.runs',
      'azure_tenant.resource_sync.failures',
      'azure_tenant.resource_sync.duration',
    ]) {
      for (const { attributes } of recorded.measurements(name)) {
        expect(Object.keys(attributes).sort()).toEqual(
          expect.arrayContaining(['tenant']),
        );
        expect(
          Object.keys(attributes).every(key =>
            ['tenant', 'outcome', 'reason'].includes(key),
          ),
        ).toBe(true);
      }
    }
  });

  it('counts a tag conflict both as an outcome and as a conflict', () => {
    const recorded = recordingMetricsService();
    const metrics = new AzureTenantMetrics(recorded.service);

    metrics.recordTagChange(TENANT, 'written');
    metrics.recordTagChange(TENANT, 'conflict');

    expect(
      recorded.sum('azure_tenant.tags.changes', { tenant, outcome: 'written' }),
    ).toBe(1);
    expect(
      recorded.sum('azure_tenant.tags.changes', {
        tenant,
        outcome: 'conflict',
      }),
    ).toBe(1);
    expect(recorded.sum('azure_tenant.tags.conflicts', { tenant })).toBe(1);
  });
});
