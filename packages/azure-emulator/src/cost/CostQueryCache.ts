import { randomUUID } from 'node:crypto';
import { CostTable } from './costQuery';

/** A computed answer kept for its next pages. */
interface CachedAnswer {
  /** What must match for a next page to be served from this answer: scope, operation and the normalized query. */
  fingerprint: string;
  table: CostTable;
  /** `performance.now()` of the last use, for expiry and eviction. */
  usedAt: number;
}

/** Options for {@link CostQueryCache}. */
export interface CostQueryCacheOptions {
  /** Rows kept over all answers; the least recently used answers go first. Defaults to 2,000,000. */
  maxRows?: number;
  /** An answer unused for this long is dropped, in milliseconds. Defaults to 10 minutes. */
  idleMs?: number;
  /** The clock, in milliseconds; tests move it. Defaults to `performance.now()`. */
  now?: () => number;
}

/**
 * Computed Cost Management answers, kept from the first page to the last so that each `nextLink` page is a slice of
 * the same answer instead of a new computation. Like Azure's continuation tokens, a next page belongs to the query
 * that started the paging: the answer is a snapshot, and a next page asked with another query is computed anew.
 */
export class CostQueryCache {
  private readonly answers = new Map<string, CachedAnswer>();
  private readonly maxRows: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private rows = 0;

  constructor(options: CostQueryCacheOptions = {}) {
    this.maxRows = options.maxRows ?? 2_000_000;
    this.idleMs = options.idleMs ?? 10 * 60_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Keeps an answer whose pages are to follow; returns the id that continuation tokens carry. */
  put(fingerprint: string, table: CostTable): string {
    this.expire();
    const id = randomUUID();
    this.answers.set(id, { fingerprint, table, usedAt: this.now() });
    this.rows += table.rows.length;
    // Least recently used first: Map keeps insertion order and get() re-inserts.
    for (const [oldId, answer] of this.answers) {
      if (this.rows <= this.maxRows || oldId === id) break;
      this.drop(oldId, answer);
    }
    return id;
  }

  /** The answer of a continuation, if it is still kept and was computed for the same query. */
  get(id: string, fingerprint: string): CostTable | undefined {
    this.expire();
    const answer = this.answers.get(id);
    if (!answer || answer.fingerprint !== fingerprint) return undefined;
    answer.usedAt = this.now();
    this.answers.delete(id);
    this.answers.set(id, answer);
    return answer.table;
  }

  /** Forgets an answer, once its last page has been served. */
  delete(id: string): void {
    const answer = this.answers.get(id);
    if (answer) this.drop(id, answer);
  }

  /** Answers kept, and their rows (for tests). */
  get size(): { answers: number; rows: number } {
    return { answers: this.answers.size, rows: this.rows };
  }

  private drop(id: string, answer: CachedAnswer) {
    this.answers.delete(id);
    this.rows -= answer.table.rows.length;
  }

  private expire() {
    const oldest = this.now() - this.idleMs;
    for (const [id, answer] of this.answers) {
      if (answer.usedAt >= oldest) break;
      this.drop(id, answer);
    }
  }
}
