import tls from 'node:tls';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  TokenCredentialOptions,
} from '@azure/identity';
import { TokenCredential } from '@azure/core-auth';
import {
  createDefaultHttpClient,
  HttpClient,
  PipelineRequest,
  RestError,
  TlsSettings,
} from '@azure/core-rest-pipeline';
import {
  AzureTenantConfig,
  DEFAULT_AUTHORITY_HOST,
} from '../config/AzureTenantConfig';
import {
  armClientPolicies,
  ArmClientPoliciesOptions,
  ArmClientPolicy,
} from './armClientPolicies';
import { AzureQuotas } from './quota/AzureQuotas';
import { QuotaBudget, QuotaDemand } from './quota/QuotaBudget';
import { sharedQuotaPolicy } from './quota/sharedQuotaPolicy';

/** The scope of an app-only token for Azure Resource Manager. */
export const ARM_APP_SCOPE = 'https://management.azure.com/.default';

/** The delegated scope that lets the portal act as the consenting user in Resource Manager, for an hour at most. */
export const ARM_DELEGATED_SCOPE =
  'https://management.azure.com/user_impersonation';

/**
 * How long one try of a request to Azure may take before it is abandoned, when the caller set no timeout. The Azure
 * SDKs set none, so without it a connection that stalls holds a sync, a tag edit or an onboarding forever.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** Options of {@link AzureConnection} that are not in the `azureTenant` config. */
export interface AzureConnectionOptions {
  /** Per-try timeout of requests that have none; 0 turns it off. Defaults to {@link DEFAULT_REQUEST_TIMEOUT_MS}. */
  requestTimeoutMs?: number;
  /**
   * The quota budget that all replicas share (`DatabaseQuotaBudget`, `azureTenant.quotas`): every Azure client's
   * reads, Resource Graph and Cost Management queries wait for their share of it. None when left out.
   */
  sharedQuota?: {
    budget: QuotaBudget;
    quotas: AzureQuotas;
    onWait?: (waitMs: number, demand: QuotaDemand) => void;
  };
}

/**
 * An HTTP client that gives every request without a timeout the default one, and reports a try that timed out as a
 * network error (`ETIMEDOUT`), which the SDKs' retry policy retries a bounded number of times like a reset
 * connection; an abort asked for by the caller stays an abort.
 */
export function withRequestTimeout(
  inner: HttpClient,
  timeoutMs: number,
): HttpClient {
  return {
    async sendRequest(request: PipelineRequest) {
      if (timeoutMs > 0 && !(request.timeout > 0)) request.timeout = timeoutMs;
      const started = Date.now();
      try {
        return await inner.sendRequest(request);
      } catch (error) {
        const abortedByCaller = request.abortSignal?.aborted === true;
        if (
          (error as Error)?.name === 'AbortError' &&
          !abortedByCaller &&
          request.timeout > 0 &&
          Date.now() - started >= request.timeout - 50
        ) {
          // Only the method and path: the query and the headers stay out of messages.
          const { pathname } = new URL(request.url);
          throw new RestError(
            `Azure did not answer ${request.method} ${pathname} within ${request.timeout} ms`,
            { code: 'ETIMEDOUT', request },
          );
        }
        throw error;
      }
    },
  };
}

/**
 * How the portal reaches Azure: endpoints and TLS trust. Built once from config and shared by every Azure client.
 * An extra CA is trusted on top of the system's CAs, never instead of certificate verification.
 */
export class AzureConnection {
  readonly tlsSettings?: TlsSettings;
  /**
   * One HTTP client for every Azure client: it keeps one connection pool and one TLS context. A new client per
   * SDK client would parse the whole CA bundle again and open new connections each time.
   */
  readonly httpClient: HttpClient;
  /** The per-try timeout of requests to Azure, in milliseconds (0: none). */
  readonly requestTimeoutMs: number;
  private readonly sharedQuota?: ArmClientPolicy;
  private readonly appCredentials = new Map<
    string,
    TokenCredential & { renew(): void }
  >();

  constructor(
    readonly config: AzureTenantConfig,
    options: AzureConnectionOptions = {},
  ) {
    this.requestTimeoutMs =
      options.requestTimeoutMs ??
      config.requestTimeoutMs ??
      DEFAULT_REQUEST_TIMEOUT_MS;
    this.httpClient = withRequestTimeout(
      createDefaultHttpClient(),
      this.requestTimeoutMs,
    );
    this.tlsSettings = config.caCert
      ? { ca: [...tls.rootCertificates, config.caCert].join('\n') }
      : undefined;
    // Around each try, after the token is added: the token names the principal and tenant whose quota it is.
    this.sharedQuota = options.sharedQuota && {
      policy: sharedQuotaPolicy(options.sharedQuota),
      position: 'perRetry',
    };
  }

  /**
   * Options for an `@azure/arm-*` client. With `policies`, the client of one tenant also counts its 429s, paces its
   * reads and runs its own policies ({@link armClientPolicies}). Every client waits for its share of the quota budget
   * the replicas share, when there is one.
   */
  armClientOptions(policies?: ArmClientPoliciesOptions): {
    endpoint: string;
    httpClient: HttpClient;
    tlsOptions?: TlsSettings;
    additionalPolicies?: ArmClientPolicy[];
  } {
    return {
      endpoint: this.config.armEndpoint,
      httpClient: this.httpClient,
      ...(this.tlsSettings ? { tlsOptions: this.tlsSettings } : {}),
      ...(policies || this.sharedQuota
        ? {
            additionalPolicies: [
              ...(policies ? armClientPolicies(policies) : []),
              ...(this.sharedQuota ? [this.sharedQuota] : []),
            ],
          }
        : {}),
    };
  }

  /** Options for an `@azure/identity` credential. */
  credentialOptions(): TokenCredentialOptions & {
    disableInstanceDiscovery?: boolean;
  } {
    return {
      authorityHost: this.config.authorityHost,
      // Instance discovery asks the public cloud's login host about the authority; only useful there.
      disableInstanceDiscovery:
        this.config.authorityHost !== DEFAULT_AUTHORITY_HOST,
      httpClient: this.httpClient,
      ...(this.tlsSettings ? { tlsOptions: this.tlsSettings } : {}),
    };
  }

  /**
   * The portal's own (app-only) credential in a tenant: client credentials with its secret or certificate. One per
   * tenant, kept, so that its token cache serves every sync until the token nears expiry.
   */
  appCredential(tenantId: string): TokenCredential {
    const key = tenantId.toLowerCase();
    let cached = this.appCredentials.get(key);
    if (!cached) {
      cached = this.renewingCredential(tenantId);
      this.appCredentials.set(key, cached);
    }
    return cached;
  }

  /**
   * Makes the tenant's app credential ask Entra ID for a new token at its next use, instead of its cached one. A
   * token outlives the consent that issued it; when Azure refuses a call, a new token tells whether Entra ID still
   * accepts the portal in the tenant (consent revoked, service principal deleted).
   */
  renewAppCredential(tenantId: string): void {
    this.appCredentials.get(tenantId.toLowerCase())?.renew();
  }

  /**
   * A credential that starts afresh after a failed token request. `@azure/identity`'s client credentials keep
   * failing once their token request failed (say, Entra ID answered 500 once): every later `getToken` throws an
   * empty `AuthenticationRequiredError` without asking Entra ID again, which would stop the tenant's syncs, tag edits
   * and onboardings until the backend restarts.
   */
  private renewingCredential(
    tenantId: string,
  ): TokenCredential & { renew(): void } {
    let current: TokenCredential | undefined;
    return {
      renew: () => {
        current = undefined;
      },
      getToken: async (scopes, options) => {
        const credential = current ?? this.createAppCredential(tenantId);
        current = credential;
        try {
          return await credential.getToken(scopes, options);
        } catch (error) {
          if (current === credential) current = undefined;
          throw error;
        }
      },
    };
  }

  private createAppCredential(tenantId: string): TokenCredential {
    const { credential, clientId } = this.config;
    if (credential.kind === 'secret') {
      return new ClientSecretCredential(
        tenantId,
        clientId,
        credential.clientSecret,
        this.credentialOptions(),
      );
    }
    return new ClientCertificateCredential(
      tenantId,
      clientId,
      { certificate: credential.certificate },
      this.credentialOptions(),
    );
  }
}
