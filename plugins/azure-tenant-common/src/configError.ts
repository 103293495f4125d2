/**
 * Thrown when a setting of the Azure tenant plugins is wrong, so that the backend stops at startup with a message
 * that names the setting, rather than misbehaving later. The backend plugin and the catalog module both throw it;
 * they may run in different backends, which is why it lives in the common package.
 *
 * @public
 */
export class AzureTenantConfigError extends Error {
  /** The full config key of the faulty setting, e.g. `azureTenant.sync.frequency`. */
  readonly key: string;
  /** The error that made the value unreadable, if any. */
  readonly cause?: Error;

  /**
   * @param key - the full config key of the faulty setting
   * @param problem - what is wrong with it, phrased to follow the key, e.g. `must be at least one minute`
   * @param cause - the error that made the value unreadable, if any; its message is added to this one
   */
  constructor(key: string, problem: string, cause?: unknown) {
    let causeError: Error | undefined;
    if (cause !== undefined) {
      causeError = cause instanceof Error ? cause : new Error(String(cause));
    }
    super(
      `Invalid config: ${key} ${problem}${
        causeError ? ` (${causeError.message})` : ''
      }`,
    );
    this.name = 'AzureTenantConfigError';
    this.key = key;
    this.cause = causeError;
  }
}

/**
 * Whether a value is an {@link AzureTenantConfigError}, also when it comes from another copy of this package.
 *
 * @public
 */
export function isAzureTenantConfigError(
  value: unknown,
): value is AzureTenantConfigError {
  return (
    value instanceof Error &&
    value.name === 'AzureTenantConfigError' &&
    typeof (value as { key?: unknown }).key === 'string'
  );
}
