/** An Entra ID error from the token endpoint or the authorize redirect, with its AADSTS code when there is one. */
export class EntraAuthorizationError extends Error {
  readonly code: string;
  readonly cause?: unknown;

  constructor(code: string, message: string, cause?: unknown) {
    super(message);
    this.name = 'EntraAuthorizationError';
    this.code = code;
    this.cause = cause;
  }
}

/** Whether an error is an {@link EntraAuthorizationError}. */
export function isEntraAuthorizationError(
  error: unknown,
): error is EntraAuthorizationError {
  return error instanceof Error && error.name === 'EntraAuthorizationError';
}
