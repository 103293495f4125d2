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
  TlsSettings,
} from '@azure/core-rest-pipeline';
import {
  AzureTenantConfig,
  DEFAULT_AUTHORITY_HOST,
} from '../config/AzureTenantConfig';

/** The scope of an app-only token for Azure Resource Manager. */
export const ARM_APP_SCOPE = 'https://management.azure.com/.default';

/** The delegated scope that lets the portal act as the consenting user in Resource Manager, for an hour at most. */
export const ARM_DELEGATED_SCOPE =
  'https://management.azure.com/user_impersonation';

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
  readonly httpClient: HttpClient = createDefaultHttpClient();
  private readonly appCredentials = new Map<string, TokenCredential>();

  constructor(readonly config: AzureTenantConfig) {
    this.tlsSettings = config.caCert
      ? { ca: [...tls.rootCertificates, config.caCert].join('\n') }
      : undefined;
  }

  /** Options for an `@azure/arm-*` client. */
  armClientOptions(): {
    endpoint: string;
    httpClient: HttpClient;
    tlsOptions?: TlsSettings;
  } {
    return {
      endpoint: this.config.armEndpoint,
      httpClient: this.httpClient,
      ...(this.tlsSettings ? { tlsOptions: this.tlsSettings } : {}),
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
      cached = this.createAppCredential(tenantId);
      this.appCredentials.set(key, cached);
    }
    return cached;
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
