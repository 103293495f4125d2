import fs from 'node:fs';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { isSyncMode, SyncMode } from '@azure-tenant/plugin-azure-tenant-common';

/** How the portal proves it is its app registration. */
export type AppCredentialConfig =
  | { kind: 'secret'; clientSecret: string }
  | { kind: 'certificate'; certificate: string };

/** A subscription declared in config, for teams that grant the portal's roles with infrastructure-as-code. */
export interface StaticSubscriptionConfig {
  subscriptionId: string;
  displayName?: string;
  syncMode?: SyncMode;
}

/** A tenant declared in config. */
export interface StaticTenantConfig {
  tenantId: string;
  displayName?: string;
  subscriptions: StaticSubscriptionConfig[];
}

/** The validated `azureTenant` configuration. */
export interface AzureTenantConfig {
  clientId: string;
  credential: AppCredentialConfig;
  authorityHost: string;
  armEndpoint: string;
  /** PEM text of the extra CA to trust, read from `caCertFile`. */
  caCert?: string;
  /** Per-try timeout of requests to Entra ID and Azure, in milliseconds (0: none); undefined for the default. */
  requestTimeoutMs?: number;
  roles: string[];
  partnerId?: string;
  /** The key that protects onboarding state. */
  stateSecret: string;
  onboarding: {
    tenant: string;
    redirectUri: string;
    completionUrl: string;
    principalNotFoundRetries: number;
    principalNotFoundRetryDelayMs: number;
  };
  tenants: StaticTenantConfig[];
}

export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
export const DEFAULT_ROLES = ['Reader', 'Tag Contributor'];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Thrown at startup when `azureTenant` config is wrong; the message says which key and why. */
export class AzureTenantConfigError extends Error {
  constructor(message: string) {
    super(`Invalid azureTenant config: ${message}`);
    this.name = 'AzureTenantConfigError';
  }
}

/** `azureTenant.requestTimeout`: a duration of at least a second, or 0 for none. */
function readRequestTimeout(config: Config): number | undefined {
  if (!config.has('requestTimeout')) return undefined;
  if (config.getOptional('requestTimeout') === 0) return 0;
  let ms: number;
  try {
    ms = durationToMilliseconds(
      readDurationFromConfig(config, { key: 'requestTimeout' }),
    );
  } catch (error) {
    throw new AzureTenantConfigError(
      `azureTenant.requestTimeout must be a duration such as { seconds: 60 } or 0: ${
        (error as Error).message
      }`,
    );
  }
  if (!(ms >= 1000)) {
    throw new AzureTenantConfigError(
      'azureTenant.requestTimeout must be at least a second (or 0 for none)',
    );
  }
  return ms;
}

function httpsUrl(value: string, key: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AzureTenantConfigError(`${key} is not a URL: '${value}'`);
  }
  if (url.protocol !== 'https:') {
    throw new AzureTenantConfigError(
      `${key} must use https, because Azure tokens are never sent over plain HTTP: '${value}'`,
    );
  }
  return value.replace(/\/+$/, '');
}

function guid(value: string, key: string): string {
  if (!GUID.test(value)) {
    throw new AzureTenantConfigError(`${key} must be a GUID, got '${value}'`);
  }
  return value.toLowerCase();
}

/**
 * Reads and validates the `azureTenant` config. Returns undefined when the section is absent, so that a portal
 * without Azure tenants still starts.
 */
export function readAzureTenantConfig(
  root: Config,
): AzureTenantConfig | undefined {
  const config = root.getOptionalConfig('azureTenant');
  if (!config) return undefined;

  const clientId = guid(config.getString('clientId'), 'azureTenant.clientId');

  const clientSecret = config.getOptionalString('clientSecret');
  const certificate = config.getOptionalString('clientCertificate');
  if (!clientSecret === !certificate) {
    throw new AzureTenantConfigError(
      'give exactly one of azureTenant.clientSecret and azureTenant.clientCertificate',
    );
  }
  const credential: AppCredentialConfig = clientSecret
    ? { kind: 'secret', clientSecret }
    : { kind: 'certificate', certificate: certificate! };

  const caCertFile = config.getOptionalString('caCertFile');
  let caCert: string | undefined;
  if (caCertFile) {
    try {
      caCert = fs.readFileSync(caCertFile, 'utf8');
    } catch (error) {
      throw new AzureTenantConfigError(
        `azureTenant.caCertFile cannot be read: ${(error as Error).message}`,
      );
    }
    if (!caCert.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AzureTenantConfigError(
        `azureTenant.caCertFile is not a PEM certificate: ${caCertFile}`,
      );
    }
  }

  const roles = config.getOptionalStringArray('roles') ?? DEFAULT_ROLES;
  if (roles.length === 0) {
    throw new AzureTenantConfigError('azureTenant.roles must not be empty');
  }

  const stateSecret =
    config.getOptionalString('stateSecret') ??
    `derived:${clientId}:${clientSecret ?? certificate}`;
  if (config.getOptionalString('stateSecret') && stateSecret.length < 32) {
    throw new AzureTenantConfigError(
      'azureTenant.stateSecret must be at least 32 characters',
    );
  }

  const onboarding = config.getOptionalConfig('onboarding');
  const baseUrl = (key: string) => root.getString(key).replace(/\/+$/, '');

  const retries =
    onboarding?.getOptionalNumber('principalNotFoundRetries') ?? 6;
  const retryDelayMs =
    onboarding?.getOptionalNumber('principalNotFoundRetryDelayMs') ?? 2000;
  if (retries < 0 || retryDelayMs < 0) {
    throw new AzureTenantConfigError(
      'azureTenant.onboarding retry settings must not be negative',
    );
  }

  const tenants = (config.getOptionalConfigArray('tenants') ?? []).map(
    (tenant, i) => ({
      tenantId: guid(
        tenant.getString('tenantId'),
        `azureTenant.tenants[${i}].tenantId`,
      ),
      displayName: tenant.getOptionalString('displayName'),
      subscriptions: tenant.getConfigArray('subscriptions').map((sub, j) => {
        const key = `azureTenant.tenants[${i}].subscriptions[${j}]`;
        const syncMode = sub.getOptionalString('syncMode');
        if (syncMode !== undefined && !isSyncMode(syncMode)) {
          throw new AzureTenantConfigError(
            `${key}.syncMode must be one of none, no-tags, read-tags, read-write-tags; got '${syncMode}'`,
          );
        }
        return {
          subscriptionId: guid(
            sub.getString('subscriptionId'),
            `${key}.subscriptionId`,
          ),
          displayName: sub.getOptionalString('displayName'),
          syncMode: syncMode as SyncMode | undefined,
        };
      }),
    }),
  );

  return {
    clientId,
    credential,
    authorityHost: httpsUrl(
      config.getOptionalString('authorityHost') ?? DEFAULT_AUTHORITY_HOST,
      'azureTenant.authorityHost',
    ),
    armEndpoint: httpsUrl(
      config.getOptionalString('armEndpoint') ?? DEFAULT_ARM_ENDPOINT,
      'azureTenant.armEndpoint',
    ),
    caCert,
    requestTimeoutMs: readRequestTimeout(config),
    roles,
    partnerId: config.getOptionalString('partnerId'),
    stateSecret,
    onboarding: {
      tenant: onboarding?.getOptionalString('tenant') ?? 'organizations',
      redirectUri:
        onboarding?.getOptionalString('redirectUri') ??
        `${baseUrl('backend.baseUrl')}/api/azure-tenant/onboarding/callback`,
      completionUrl:
        onboarding?.getOptionalString('completionUrl') ??
        `${baseUrl('app.baseUrl')}/azure-tenants`,
      principalNotFoundRetries: retries,
      principalNotFoundRetryDelayMs: retryDelayMs,
    },
    tenants,
  };
}
