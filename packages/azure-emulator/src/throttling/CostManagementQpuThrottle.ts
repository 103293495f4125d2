import { ArmError } from '../errors/ArmError';

/**
 * Cost Management's query processing unit (QPU) quotas of one tenant, as Microsoft Learn documents them ("Query API
 * query processing units", https://learn.microsoft.com/azure/cost-management-billing/costs/manage-automation).
 * A request is throttled when any of them is exhausted.
 *
 * @public
 */
export interface CostManagementQpuQuotas {
  /** QPU per 10 seconds. Defaults to 12. */
  per10Seconds?: number;
  /** QPU per minute. Defaults to 60. */
  perMinute?: number;
  /** QPU per hour. Defaults to 600. */
  perHour?: number;
}

/** Azure's documented QPU quotas per tenant. */
export const DEFAULT_COST_MANAGEMENT_QPU: Required<CostManagementQpuQuotas> = {
  per10Seconds: 12,
  perMinute: 60,
  perHour: 600,
};

/** The windows in the order of Azure's `x-ms-ratelimit-microsoft.costmanagement-qpu-remaining` header. */
const WINDOWS = [
  { key: 'perHour', name: 'QueriesPerHour', ms: 3_600_000 },
  { key: 'perMinute', name: 'QueriesPerMin', ms: 60_000 },
  { key: 'per10Seconds', name: 'QueriesPer10Sec', ms: 10_000 },
] as const;

/** The outcome of a Cost Management query against its tenant's QPU quotas. */
export interface QpuDecision {
  allowed: boolean;
  /** QPU charged (0 when throttled). */
  consumed: number;
  /** Azure's format: `QueriesPerHour:597,QueriesPerMin:57,QueriesPer10Sec:9`. */
  remaining: string;
  /** When throttled: seconds until every exhausted quota has room again (at least 1). */
  retryAfterSeconds: number;
}

/** Checks quotas given to `PUT /_emulator/throttling` as `costManagement`: whole numbers of at least 1. */
export function readQpuQuotas(
  value: unknown,
): Required<CostManagementQpuQuotas> {
  if (value === undefined || value === null) {
    return { ...DEFAULT_COST_MANAGEMENT_QPU };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ArmError(
      400,
      'InvalidThrottling',
      "'costManagement' must be an object with per10Seconds, perMinute and perHour (QPU).",
    );
  }
  const quotas = { ...DEFAULT_COST_MANAGEMENT_QPU };
  for (const [key, quota] of Object.entries(value)) {
    if (!(key in quotas)) {
      throw new ArmError(
        400,
        'InvalidThrottling',
        `'costManagement.${key}' is not a Cost Management quota; use per10Seconds, perMinute and perHour (QPU).`,
      );
    }
    if (!Number.isSafeInteger(quota) || (quota as number) < 1) {
      throw new ArmError(
        400,
        'InvalidThrottling',
        `'costManagement.${key}' must be a whole number of at least 1, not ${JSON.stringify(
          quota,
        )}.`,
      );
    }
    quotas[key as keyof CostManagementQpuQuotas] = quota as number;
  }
  return quotas;
}

/**
 * Cost Management's QPU quotas per tenant: three sliding windows (10 seconds, a minute, an hour) over the QPU that
 * the tenant's queries consumed. A query is refused while any window is exhausted, and then consumes nothing.
 */
export class CostManagementQpuThrottle {
  /** Per tenant: when each allowed query was charged, and how much, oldest first. */
  private readonly charges = new Map<
    string,
    Array<{ at: number; qpu: number }>
  >();

  constructor(
    private quotas: Required<CostManagementQpuQuotas>,
    private readonly now: () => number,
  ) {}

  configure(quotas: Required<CostManagementQpuQuotas>): void {
    this.quotas = quotas;
    this.charges.clear();
  }

  reset(): void {
    this.charges.clear();
  }

  /** What the headers say when throttling is off: the full quotas, nothing kept. */
  untracked(qpu: number): QpuDecision {
    return {
      allowed: true,
      consumed: qpu,
      remaining: this.format(() => 0),
      retryAfterSeconds: 0,
    };
  }

  take(tenantId: string, qpu: number): QpuDecision {
    const key = tenantId.toLowerCase();
    const now = this.now();
    const charges = (this.charges.get(key) ?? []).filter(
      c => c.at > now - WINDOWS[0].ms,
    );
    this.charges.set(key, charges);
    const used = (windowMs: number) =>
      charges
        .filter(c => c.at > now - windowMs)
        .reduce((sum, c) => sum + c.qpu, 0);

    let retryAfterMs = 0;
    for (const window of WINDOWS) {
      const quota = this.quotas[window.key];
      const inWindow = charges.filter(c => c.at > now - window.ms);
      let total = inWindow.reduce((sum, c) => sum + c.qpu, 0);
      if (total < quota) continue;
      // Exhausted: room comes back when enough of the oldest charges have left the window.
      for (const charge of inWindow) {
        total -= charge.qpu;
        if (total < quota) {
          retryAfterMs = Math.max(retryAfterMs, charge.at + window.ms - now);
          break;
        }
      }
    }
    if (retryAfterMs > 0) {
      return {
        allowed: false,
        consumed: 0,
        remaining: this.format(used),
        retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
      };
    }
    charges.push({ at: now, qpu });
    return {
      allowed: true,
      consumed: qpu,
      remaining: this.format(used),
      retryAfterSeconds: 0,
    };
  }

  private format(used: (windowMs: number) => number): string {
    return WINDOWS.map(
      w => `${w.name}:${Math.max(0, this.quotas[w.key] - used(w.ms))}`,
    ).join(',');
  }
}
