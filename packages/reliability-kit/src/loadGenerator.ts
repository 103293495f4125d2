/*
 * The load generator of the reliability suite, shared by `load.test.ts` (a short bounded run in CI) and
 * `npm run bench:load` (a bounded minute): several clients, each in a loop until the deadline, sending tag edits
 * (`PATCH /tags`, each client on its own resources and key) and spend queries (`GET /spend`) to one or more backends.
 * It has no test-framework dependency, and no Backstage one: the benchmarks in test/bench import it directly.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Latency and outcome figures of one kind of request. */
export interface LoadStats {
  count: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Responses by HTTP status (0: no response). */
  statuses: Record<string, number>;
}

/** What {@link runLoad} measured. */
export interface LoadResult {
  durationMs: number;
  clients: number;
  tags: LoadStats;
  spend: LoadStats;
  /** Per client: the resource ids it edited and the last value it wrote with a 200 to each. */
  lastWritten: Array<Map<string, string>>;
  /** The tag key of each client. */
  keys: string[];
  loadAverage: number[];
}

/** What {@link runLoad} sends, to whom, and for how long. */
export interface LoadOptions {
  /** Base URLs of the backends, e.g. `http://127.0.0.1:7007`; clients are spread over them. */
  targets: string[];
  /** The `authorization` header value. */
  authorization: string;
  clients: number;
  durationMs: number;
  /** Resources whose tags are edited; split between the clients, so that no two clients edit one resource. */
  resourceIds: string[];
  subscriptionIds: string[];
  /** Days of the spend queries. */
  from: string;
  to: string;
  /** The share of requests that are tag edits; the rest are spend queries. Defaults to 0.5. */
  tagShare?: number;
  /** Each request gives up after this long (counted as an error). Defaults to 30 s. */
  requestTimeoutMs?: number;
}

/** The value below which `share` of the sorted samples fall (nearest rank). */
export function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(share * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

function stats(samples: Array<{ ms: number; status: number }>): LoadStats {
  const sorted = samples.map(s => s.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  const errors = samples.filter(s => s.status !== 200).length;
  return {
    count: samples.length,
    errors,
    errorRate: samples.length ? errors / samples.length : 0,
    p50Ms: Math.round(percentile(sorted, 0.5)),
    p95Ms: Math.round(percentile(sorted, 0.95)),
    maxMs: Math.round(sorted[sorted.length - 1] ?? NaN),
    statuses,
  };
}

/** Runs the clients until the deadline, then waits for the requests in flight. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const {
    targets,
    authorization,
    clients,
    durationMs,
    resourceIds,
    subscriptionIds,
    from,
    to,
    tagShare = 0.5,
    requestTimeoutMs = 30_000,
  } = options;
  if (resourceIds.length < clients) {
    throw new Error(
      `${clients} clients need at least as many resources, got ${resourceIds.length}`,
    );
  }
  const tagSamples: Array<{ ms: number; status: number }> = [];
  const spendSamples: Array<{ ms: number; status: number }> = [];
  const lastWritten = Array.from(
    { length: clients },
    () => new Map<string, string>(),
  );
  const keys = Array.from({ length: clients }, (_, i) => `load-client-${i}`);
  const started = Date.now();
  const deadline = started + durationMs;

  async function send(
    url: string,
    init: RequestInit,
  ): Promise<{ ms: number; status: number }> {
    const t0 = performance.now();
    try {
      const response = await fetch(url, {
        ...init,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      await response.arrayBuffer();
      return { ms: performance.now() - t0, status: response.status };
    } catch {
      return { ms: performance.now() - t0, status: 0 };
    }
  }

  async function client(index: number) {
    const target = targets[index % targets.length];
    const mine = resourceIds.filter((_, i) => i % clients === index);
    let n = 0;
    // Spread the mix evenly: with tagShare 0.5, every other request is a tag edit.
    let credit = 0;
    while (Date.now() < deadline) {
      n++;
      credit += tagShare;
      if (credit >= 1) {
        credit -= 1;
        const resourceId = mine[n % mine.length];
        const value = `v${n}`;
        const sample = await send(`${target}/api/azure-tenant/tags`, {
          method: 'PATCH',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ resourceId, set: { [keys[index]]: value } }),
        });
        tagSamples.push(sample);
        if (sample.status === 200) lastWritten[index].set(resourceId, value);
      } else {
        const subscriptionId = subscriptionIds[n % subscriptionIds.length];
        const groupBy = ['service', 'resourceGroup', 'location'][n % 3];
        spendSamples.push(
          await send(
            `${target}/api/azure-tenant/spend?subscriptionId=${subscriptionId}&from=${from}&to=${to}&groupBy=${groupBy}`,
            { headers: { authorization } },
          ),
        );
      }
    }
  }

  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  return {
    durationMs: Date.now() - started,
    clients,
    tags: stats(tagSamples),
    spend: stats(spendSamples),
    lastWritten,
    keys,
    loadAverage: os.loadavg().map(l => Math.round(l * 100) / 100),
  };
}

/** `2 cores, 24 GB, Node v20…` */
export function machine(): string {
  return `${os.cpus().length} cores, ${Math.round(
    os.totalmem() / 2 ** 30,
  )} GB, Node ${process.version}`;
}

/** A line for the results file: tests append their figures to REL_RESULTS_FILE when it is set. */
export function report(line: Record<string, unknown>): void {
  const file = process.env.REL_RESULTS_FILE;
  if (file) fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
}
