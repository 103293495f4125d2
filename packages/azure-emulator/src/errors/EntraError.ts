import { randomUUID } from 'node:crypto';

/**
 * Options for {@link EntraError}.
 *
 * @public
 */
export interface EntraErrorOptions {
  /** The HTTP status; Entra uses 400 for most token errors and 401 for bad client credentials. */
  status?: number;
  /** The underlying cause, when there is one. */
  cause?: unknown;
}

/**
 * An OAuth error as Microsoft Entra ID returns it: `error`, `error_description`
 * (starting with the AADSTS code), `error_codes`, `timestamp`, `trace_id` and `correlation_id`.
 *
 * @public
 */
export class EntraError extends Error {
  readonly name = 'EntraError';
  readonly status: number;
  /** The OAuth error, e.g. `invalid_client` or `unauthorized_client`. */
  readonly error: string;
  /** The numeric AADSTS code, e.g. 7000229. */
  readonly aadstsCode: number;

  constructor(
    error: string,
    aadstsCode: number,
    message: string,
    options: EntraErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.error = error;
    this.aadstsCode = aadstsCode;
    this.status = options.status ?? 400;
  }

  /** The `error_description`, as Entra writes it. */
  get description(): string {
    return `AADSTS${this.aadstsCode}: ${this.message}`;
  }

  /** The response body. */
  toBody(correlationId: string = randomUUID()): Record<string, unknown> {
    const traceId = randomUUID();
    const timestamp = new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
    return {
      error: this.error,
      error_description: `${this.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [this.aadstsCode],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${this.aadstsCode}`,
    };
  }
}

/**
 * Type guard for {@link EntraError}.
 *
 * @public
 */
export function isEntraError(error: unknown): error is EntraError {
  return error instanceof EntraError;
}
