import { Config } from '@backstage/config';
import { AzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';
import { readWholeNumber } from '../../config/configValues';
import { ARM_READ_BUCKET, ARM_WRITE_BUCKET } from './ArmTokenBuckets';

const PREFIX = 'azureTenant.tagGovernance.fixes';

/** How bulk tag fixes run (`azureTenant.tagGovernance.fixes`). */
export interface TagFixConfig {
  /** ARM writes per subscription: a bucket of `capacity` refilling `refillPerSecond`. */
  writes: { capacity: number; refillPerSecond: number };
  /** ARM reads per subscription, the same way. */
  reads: { capacity: number; refillPerSecond: number };
  /** Resources of one job applied at once. */
  concurrency: number;
  /** The most resources one job may change. */
  maxResources: number;
}

function readBucket(
  config: Config | undefined,
  key: 'writes' | 'reads',
  fallback: { capacity: number; refillPerSecond: number },
) {
  const bucket = config?.getOptionalConfig(key);
  const prefix = `${PREFIX}.${key}`;
  const capacity = readWholeNumber(bucket, prefix, 'capacity', {
    min: 1,
    max: 100_000,
    fallback: fallback.capacity,
  });
  let refillPerSecond: number | undefined;
  try {
    refillPerSecond = bucket?.getOptionalNumber('refillPerSecond');
  } catch (error) {
    throw new AzureTenantConfigError(
      `${prefix}.refillPerSecond`,
      'must be a number',
      error,
    );
  }
  if (refillPerSecond === undefined) {
    refillPerSecond = fallback.refillPerSecond;
  } else if (!(refillPerSecond > 0 && refillPerSecond <= 100_000)) {
    throw new AzureTenantConfigError(
      `${prefix}.refillPerSecond`,
      `must be above 0 and at most 100000, got ${refillPerSecond}`,
    );
  }
  return { capacity, refillPerSecond };
}

/** Reads and checks `azureTenant.tagGovernance.fixes`; a wrong value stops the backend with a message naming it. */
export function readTagFixConfig(config: Config): TagFixConfig {
  const fixes = config.getOptionalConfig('azureTenant.tagGovernance.fixes');
  return {
    writes: readBucket(fixes, 'writes', ARM_WRITE_BUCKET),
    reads: readBucket(fixes, 'reads', ARM_READ_BUCKET),
    concurrency: readWholeNumber(fixes, PREFIX, 'concurrency', {
      min: 1,
      max: 32,
      fallback: 4,
    }),
    maxResources: readWholeNumber(fixes, PREFIX, 'maxResources', {
      min: 1,
      max: 1_000_000,
      fallback: 10_000,
    }),
  };
}
