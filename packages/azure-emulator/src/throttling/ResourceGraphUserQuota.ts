import { ArmError } from '../errors/ArmError';

/**
 * Resource Graph's own quota per user, as Microsoft Learn's "Guidance for throttled requests in Azure Resource Graph"
 * describes it (https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests):
 * "a user can send at most 15 queries within every 5-second window without being throttled".
 *
 * @public
 */
export interface ResourceGraphQuota {
  /** Queries per window. Defaults to 15. */
  queries?: number;
  /** The window, in seconds. Defaults to 5. */
  windowSeconds?: number;
}

/** Learn's example quota. */
export const DEFAULT_RESOURCE_GRAPH_QUOTA: Required<ResourceGraphQuota> = {
  queries: 15,
  windowSeconds: 5,
};

/** The outcome of a query against its user's quota, with the headers Resource Graph sends on every answer. */
export interface ResourceGraphQuotaDecision {
  allowed: boolean;
  /**
   * `x-ms-user-quota-remaining` (queries left in the window) and `x-ms-user-quota-resets-after` (`hh:mm:ss` until
   * the window resets); with `retry-after` (seconds) when throttled.
   */
  headers: Record<string, string>;
}

/** Checks quotas given to `PUT /_emulator/throttling` as `resourceGraph`: whole numbers of at least 1. */
export function readResourceGraphQuota(
  value: unknown,
): Required<ResourceGraphQuota> {
  if (value === undefined || value === null) {
    return { ...DEFAULT_RESOURCE_GRAPH_QUOTA };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ArmError(
      400,
      'InvalidThrottling',
      "'resourceGraph' must be an object with queries and windowSeconds.",
    );
  }
  const quota = { ...DEFAULT_RESOURCE_GRAPH_QUOTA };
  for (const [key, limit] of Object.entries(value)) {
    if (!(key in quota)) {
      throw new ArmError(
        400,
        'InvalidThrottling',
        `'resourceGraph.${key}' is not a Resource Graph quota; use queries and windowSeconds.`,
      );
    }
    if (!Number.isSafeInteger(limit) || (limit as number) < 1) {
      throw new ArmError(
        400,
        'InvalidThrottling',
        `'resourceGraph.${key}' must be a whole number of at least 1, not ${JSON.stringify(
          limit,
        )}.`,
      );
    }
    quota[key as keyof ResourceGraphQuota] = limit as number;
  }
  return quota;
}

/** `hh:mm:ss`, rounded up to the second, as in `x-ms-user-quota-resets-after`. */
function hhmmss(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(
    Math.floor((total % 3600) / 60),
  )}:${pad(total % 60)}`;
}

/**
 * A fixed window per user: the first query opens it, each query takes one of its queries, and when it has passed the
 * quota is whole again (Learn's example: `x-ms-user-quota-remaining: 10` and `x-ms-user-quota-resets-after: 00:00:03`,
 * then "after 3 seconds, the values ... are reset to 15 and 00:00:05").
 */
export class ResourceGraphUserQuota {
  private readonly windows = new Map<
    string,
    { startedAt: number; used: number }
  >();

  constructor(
    private quota: Required<ResourceGraphQuota>,
    private readonly now: () => number,
  ) {}

  configure(quota: Required<ResourceGraphQuota>): void {
    this.quota = quota;
    this.windows.clear();
  }

  reset(): void {
    this.windows.clear();
  }

  /** The headers of an answer when throttling is off: the whole quota, always. */
  untracked(): ResourceGraphQuotaDecision {
    return {
      allowed: true,
      headers: this.headers(
        this.quota.queries,
        this.quota.windowSeconds * 1000,
      ),
    };
  }

  /** Takes one query from the user's window. */
  take(user: string): ResourceGraphQuotaDecision {
    const now = this.now();
    const windowMs = this.quota.windowSeconds * 1000;
    const key = user.toLowerCase();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= windowMs) {
      window = { startedAt: now, used: 0 };
      this.windows.set(key, window);
    }
    const resetsAfterMs = window.startedAt + windowMs - now;
    if (window.used >= this.quota.queries) {
      return {
        allowed: false,
        headers: {
          ...this.headers(0, resetsAfterMs),
          'retry-after': String(Math.max(1, Math.ceil(resetsAfterMs / 1000))),
        },
      };
    }
    window.used++;
    return {
      allowed: true,
      headers: this.headers(this.quota.queries - window.used, resetsAfterMs),
    };
  }

  private headers(remaining: number, resetsAfterMs: number) {
    return {
      'x-ms-user-quota-remaining': String(remaining),
      'x-ms-user-quota-resets-after': hhmmss(resetsAfterMs),
    };
  }
}
