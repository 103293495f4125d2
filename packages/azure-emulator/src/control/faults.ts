import { randomUUID } from 'node:crypto';

/**
 * Which requests a fault applies to.
 *
 * @public
 */
export interface FaultMatch {
  /** HTTP method, case-insensitive. Any method when omitted. */
  method?: string;
  /** A regular expression tested (case-insensitively) against the request path, without query string. Any path when omitted. */
  pathPattern?: string;
}

/**
 * How an accepted long-running operation progresses.
 *
 * @public
 */
export interface AsyncOperationFault {
  /** How many polls answer `InProgress` before the operation is done. Defaults to 1. */
  inProgressPolls?: number;
}

/**
 * A fault to inject. Exactly one of `status`, `reset`, `malformed` or `delayMs` is the usual choice.
 *
 * @public
 */
export interface FaultSpec {
  match: FaultMatch;
  /** Respond with this status and an ARM-shaped error (429 and 503 also get `Retry-After`). */
  status?: number;
  /** ARM error code for `status`. Defaults to a code that fits the status. */
  code?: string;
  /** Seconds in `Retry-After` for 429 and 503, and in an `asyncOperation`'s answers. Defaults to 1. */
  retryAfterSeconds?: number;
  /** Destroy the connection without a response. */
  reset?: boolean;
  /** Wait this long, then serve the request normally (or apply the other fault). */
  delayMs?: number;
  /** Respond 200 with a truncated, invalid JSON body. */
  malformed?: boolean;
  /**
   * Accept a tag write at a scope (`PUT`, `PATCH` or `DELETE` of `{scope}/providers/Microsoft.Resources/tags/default`)
   * as a long-running operation, as the Tags API allows: 202 with `Azure-AsyncOperation`, `Location` and
   * `Retry-After` (`retryAfterSeconds`, default 1). The request is validated first; the tags are written when a poll
   * finds the operation done. Other requests that match are served normally.
   */
  asyncOperation?: AsyncOperationFault;
  /** How many matching requests the fault applies to. Defaults to 1; 0 means every request until cleared. */
  times?: number;
  /**
   * How many matching requests to let through before the fault applies, e.g. 2 to fail the third page of a listing.
   * Defaults to 0.
   */
  skip?: number;
}

/**
 * An injected fault with its bookkeeping.
 *
 * @public
 */
export interface Fault extends FaultSpec {
  id: string;
  /** How many requests it has affected. */
  hits: number;
  /** How many matching requests it has let through so far (see `skip`). */
  skipped: number;
}

/** The list of injected faults, matched in order. */
export class FaultInjector {
  private faults: Array<Fault & { regex?: RegExp }> = [];

  inject(spec: FaultSpec): Fault {
    if (
      !spec ||
      typeof spec !== 'object' ||
      !spec.match ||
      typeof spec.match !== 'object'
    ) {
      throw new TypeError(
        "A fault needs a 'match' object with 'method' and/or 'pathPattern'.",
      );
    }
    if (
      spec.status === undefined &&
      !spec.reset &&
      !spec.malformed &&
      !spec.asyncOperation &&
      spec.delayMs === undefined
    ) {
      throw new TypeError(
        "A fault needs one of 'status', 'reset', 'malformed', 'asyncOperation' or 'delayMs'.",
      );
    }
    const regex = spec.match.pathPattern
      ? new RegExp(spec.match.pathPattern, 'i')
      : undefined;
    const fault = { ...spec, id: randomUUID(), hits: 0, skipped: 0, regex };
    this.faults.push(fault);
    return this.describe(fault);
  }

  /** Finds the first fault for the request and counts it, removing it when used up. */
  take(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(
      f =>
        (!f.match.method ||
          f.match.method.toUpperCase() === method.toUpperCase()) &&
        (!f.regex || f.regex.test(path)),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index];
    if (fault.skipped < (fault.skip ?? 0)) {
      fault.skipped++;
      return undefined;
    }
    fault.hits++;
    const times = fault.times ?? 1;
    if (times > 0 && fault.hits >= times) this.faults.splice(index, 1);
    return this.describe(fault);
  }

  list(): Fault[] {
    return this.faults.map(f => this.describe(f));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter(f => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  private describe(fault: Fault & { regex?: RegExp }): Fault {
    const { regex: _regex, ...rest } = fault;
    return { ...rest, match: { ...rest.match } };
  }
}
