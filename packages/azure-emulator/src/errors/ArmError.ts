/**
 * An error that ARM would return, rendered as `{ "error": { "code", "message", "details" } }`.
 *
 * @public
 */
export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/**
 * Options for {@link ArmError}.
 *
 * @public
 */
export interface ArmErrorOptions {
  /** Nested details, rendered in `error.details`. */
  details?: ArmErrorDetail[];
  /** Extra response headers, such as `Retry-After` or `WWW-Authenticate`. */
  headers?: Record<string, string>;
  /** The underlying cause, when there is one. */
  cause?: unknown;
}

/**
 * An ARM-shaped error response with an HTTP status and an ARM error code.
 *
 * @public
 */
export class ArmError extends Error {
  readonly name = 'ArmError';
  readonly status: number;
  readonly code: string;
  readonly details: ArmErrorDetail[];
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: ArmErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.code = code;
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
  }

  /** The response body, as ARM renders it. */
  toBody(): {
    error: { code: string; message: string; details: ArmErrorDetail[] };
  } {
    return {
      error: { code: this.code, message: this.message, details: this.details },
    };
  }
}

/**
 * Type guard for {@link ArmError}.
 *
 * @public
 */
export function isArmError(error: unknown): error is ArmError {
  return error instanceof ArmError;
}
