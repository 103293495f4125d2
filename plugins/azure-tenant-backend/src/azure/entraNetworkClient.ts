import {
  createHttpHeaders,
  createPipelineRequest,
  PipelineResponse,
} from '@azure/core-rest-pipeline';
import {
  INetworkModule,
  NetworkRequestOptions,
  NetworkResponse,
} from '@azure/msal-node';
import { AzureConnection } from './azureConnection';
import { EntraAuthorizationError } from './entraAuthorizationError';

/** Statuses of Entra ID that are retried: throttling and server errors, which redeem nothing. */
const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Retries of a request after a throttled, failed or unanswered try; an authorization code lives 10 minutes. */
const RETRIES = 3;
const RETRY_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 10_000;
/** A try of a request to Entra ID that msal gives no timeout for. */
const DEFAULT_TIMEOUT_MS = 30_000;

const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

function retryAfter(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A request that got no answer: the connection failed, was reset, or timed out. */
function isNetworkError(error: unknown): boolean {
  const { name, code, statusCode } = (error ?? {}) as {
    name?: string;
    code?: string;
    statusCode?: number;
  };
  return (
    name === 'RestError' &&
    statusCode === undefined &&
    (code === 'ETIMEDOUT' ||
      code === 'ECONNRESET' ||
      code === 'ECONNREFUSED' ||
      code === 'REQUEST_SEND_ERROR' ||
      code === 'EPIPE')
  );
}

/** Entra ID's refusal, from its body; a gateway in front of it may answer in ARM's `{ error: { code, message } }`. */
function refusal(status: number, body: any): EntraAuthorizationError {
  // Entra's description starts with the AADSTS code; it carries no secret.
  const code = typeof body?.error === 'string' ? body.error : undefined;
  let description: string | undefined;
  if (typeof body?.error_description === 'string') {
    description = body.error_description;
  } else if (typeof body?.error?.message === 'string') {
    description = body.error.message;
  }
  return new EntraAuthorizationError(
    code ?? `http_${status}`,
    `Microsoft Entra ID refused the sign-in: ${
      description ?? code ?? `status ${status}`
    }`,
  );
}

/**
 * A token request without `offline_access`. msal-node 7 (msal-common 16's `AuthorizationCodeClient`) always adds
 * `openid profile offline_access` to the scopes of a code redemption, and has no option to leave them out. Entra ID
 * issues a refresh token when `offline_access` is requested (its auth code flow page says no more about where), and
 * one would let whoever holds it act as the consenting user for up to 90 days. The portal wants none: its
 * impersonation ends with the access token, within an hour. So the scope is taken out on the way to Entra ID, which
 * then has no request for a refresh token at either endpoint.
 */
function withoutOfflineAccess(body: string): string {
  const form = new URLSearchParams(body);
  const scope = form.get('scope');
  if (scope === null) return body;
  form.set(
    'scope',
    scope
      .split(' ')
      .filter(s => s && s.toLowerCase() !== 'offline_access')
      .join(' '),
  );
  return form.toString();
}

/**
 * msal-node's HTTP client for one code redemption. It sends through the connection's HTTP client, so msal trusts
 * exactly what the Azure SDKs trust (the system's CAs, plus `caCertFile` when configured) and verifies certificates
 * like they do. It retries throttling, server errors and unanswered tries itself: msal-node retries none of them
 * for a code redemption, and after a 429 or 5xx it would refuse every same request for a minute from its own cache.
 *
 * msal turns any error of a network client into a bare `network_error`, so the client keeps the reason of the
 * failure it threw in {@link EntraNetworkClient.failure} for the caller to report.
 */
export class EntraNetworkClient implements INetworkModule {
  /** Why the last request failed, when this client failed it. */
  failure?: EntraAuthorizationError;

  constructor(private readonly connection: AzureConnection) {}

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, {
      ...options,
      body: options?.body && withoutOfflineAccess(options.body),
    });
  }

  private async send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions = {},
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    let response: PipelineResponse | undefined;
    for (let attempt = 0; ; attempt++) {
      const request = createPipelineRequest({
        url,
        method,
        headers: createHttpHeaders(options.headers),
        body: options.body,
        timeout: timeout ?? DEFAULT_TIMEOUT_MS,
      });
      // createPipelineRequest does not take TLS settings; the HTTP client reads them from the request.
      request.tlsSettings = this.connection.tlsSettings;
      let retryAfterMs: number | undefined;
      try {
        response = await this.connection.httpClient.sendRequest(request);
        if (!RETRIED_STATUSES.has(response.status) || attempt >= RETRIES) {
          break;
        }
        retryAfterMs = retryAfter(response.headers.get('retry-after'));
      } catch (error) {
        // No answer (reset, timeout): Entra ID did not see the code, or redeemed it and a retry says so (AADSTS54005).
        if (!isNetworkError(error) || attempt >= RETRIES) {
          throw this.fail(
            new EntraAuthorizationError(
              'token_request_failed',
              `Could not redeem the sign-in at Microsoft Entra ID: ${
                (error as Error).message
              }`,
              error,
            ),
          );
        }
      }
      await sleep(
        Math.min(
          retryAfterMs ?? RETRY_DELAY_MS * 2 ** attempt,
          MAX_RETRY_DELAY_MS,
        ),
      );
    }

    let body: any;
    try {
      body = JSON.parse(response.bodyAsText ?? '{}');
    } catch (error) {
      throw this.fail(
        response.status === 200 || method === 'GET'
          ? new EntraAuthorizationError(
              'token_request_failed',
              `Could not redeem the sign-in at Microsoft Entra ID: its answer to ${method} ${
                new URL(url).pathname
              } is not JSON`,
              error,
            )
          : refusal(response.status, undefined),
      );
    }
    // The token endpoint (msal's only POST here) refused: its own words, rather than msal's summary of them.
    if (method === 'POST' && response.status !== 200) {
      throw this.fail(refusal(response.status, body));
    }
    return {
      status: response.status,
      headers: response.headers.toJSON() as Record<string, string>,
      body: body as T,
    };
  }

  private fail(error: EntraAuthorizationError): EntraAuthorizationError {
    this.failure = error;
    return error;
  }
}
