/**
 * An Azure error as a sentence for logs and stored states: its code and message only. Error objects of the Azure SDKs
 * may carry the request, and with it a bearer token, so they are never logged or stored whole.
 */
export function describeAzureError(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = (error as Error)?.message ?? String(error);
  return typeof code === 'string' && code && !message.startsWith(code)
    ? `${code}: ${message}`
    : message;
}
