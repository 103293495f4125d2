/**
 * One request the emulator served.
 *
 * @public
 */
export interface RequestLogEntry {
  /** Increasing sequence number. */
  seq: number;
  time: string;
  method: string;
  path: string;
  /** The query string, without the leading `?`. */
  query: string;
  /** Object id of the caller (from its bearer token), or null. */
  principal: string | null;
  /** The caller's tenant, or null. */
  tenantId: string | null;
  /** For token requests: the client id. */
  clientId: string | null;
  status: number;
  durationMs: number;
  /** The id of the fault applied, if any. */
  faultId: string | null;
}

/** A bounded, in-memory log of requests. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly limit = 10_000) {}

  add(entry: Omit<RequestLogEntry, 'seq'>): void {
    this.entries.push({ ...entry, seq: ++this.seq });
    if (this.entries.length > this.limit)
      this.entries.splice(0, this.entries.length - this.limit);
  }

  /** Entries after the given sequence number (all when omitted). */
  list(since = 0): RequestLogEntry[] {
    return this.entries.filter(e => e.seq > since);
  }

  clear(): void {
    this.entries = [];
  }
}
