import fs from 'node:fs';
import { Config } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import {
  AzureTenantConfigError,
  isSyncMode,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';
import { readOptionalDuration, readWholeNumber } from './configValues';
import { isGuid } from '../azure/guid';

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

const PREFIX = 'azureTenant';

/** `azureTenant.requestTimeout`: a duration of at least a second, or 0 for none. */
function readRequestTimeout(config: Config): number | undefined {
  if (config.getOptional('requestTimeout') === 0) return 0;
  const duration = readOptionalDuration(config, PREFIX, 'requestTimeout', {
    minimum: { seconds: 1 },
  });
  return duration && durationToMilliseconds(duration);
}

/**
 * `azureTenant.onboarding.principalNotFoundRetryDelay`, a duration; the number of milliseconds in
 * `principalNotFoundRetryDelayMs` is still read, as before.
 */
function readPrincipalNotFoundRetryDelayMs(onboarding?: Config): number {
  const prefix = `${PREFIX}.onboarding`;
  const legacyKey = 'principalNotFoundRetryDelayMs';
  if (onboarding?.has(legacyKey)) {
    if (onboarding.has('principalNotFoundRetryDelay')) {
      throw new AzureTenantConfigError(
        `${prefix}.${legacyKey}`,
        'must not be given together with principalNotFoundRetryDelay, which replaces it',
      );
    }
    return readWholeNumber(onboarding, prefix, legacyKey, {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      fallback: 0,
    });
  }
  const delay = readOptionalDuration(
    onboarding,
    prefix,
    'principalNotFoundRetryDelay',
    { minimum: { milliseconds: 0 } },
  );
  return delay ? durationToMilliseconds(delay) : 2000;
}

function httpsUrl(value: string, key: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AzureTenantConfigError(key, `is not a URL: '${value}'`);
  }
  if (url.protocol !== 'https:') {
    throw new AzureTenantConfigError(
      key,
      `must use https, because Azure tokens are never sent over plain HTTP: '${value}'`,
    );
  }
  return value.replace(/\/+$/, '');
}

function guid(value: string, key: string): string {
  if (!isGuid(value)) {
    throw new AzureTenantConfigError(key, `must be a GUID, got '${value}'`);
  }
  return value.toLowerCase();
}

/**
 * Whether the plugin can connect tenants: either its validated settings, or why it cannot. The plugin is not
 * configured, and still starts, while `azureTenant` lacks the app registration (`clientId` and a client secret or
 * certificate), for example when only `sync` or `spend` is set. A setting that is present but wrong throws an
 * {@link AzureTenantConfigError} instead.
 */
export type AzureTenantSetup =
  | { configured: true; config: AzureTenantConfig }
  | { configured: false; reason: string };

/** Reads and validates the `azureTenant` config; see {@link AzureTenantSetup}. */
export function readAzureTenantSetup(root: Config): AzureTenantSetup {
  const config = root.getOptionalConfig(PREFIX);
  if (!config) {
    return { configured: false, reason: 'azureTenant is not set' };
  }

  const clientIdValue = config.getOptionalString('clientId');
  const clientId =
    clientIdValue === undefined
      ? undefined
      : guid(clientIdValue, 'azureTenant.clientId');

  const clientSecret = config.getOptionalString('clientSecret');
  const certificate = config.getOptionalString('clientCertificate');
  if (clientSecret && certificate) {
    throw new AzureTenantConfigError(
      'azureTenant.clientCertificate',
      'must not be given together with azureTenant.clientSecret: give exactly one of them',
    );
  }

  const caCertFile = config.getOptionalString('caCertFile');
  let caCert: string | undefined;
  if (caCertFile) {
    try {
      caCert = fs.readFileSync(caCertFile, 'utf8');
    } catch (error) {
      throw new AzureTenantConfigError(
        'azureTenant.caCertFile',
        'cannot be read',
        error,
      );
    }
    if (!caCert.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AzureTenantConfigError(
        'azureTenant.caCertFile',
        `is not a PEM certificate: ${caCertFile}`,
      );
    }
  }

  const roles = config.getOptionalStringArray('roles') ?? DEFAULT_ROLES;
  if (roles.length === 0) {
    throw new AzureTenantConfigError('azureTenant.roles', 'must not be empty');
  }

  const configuredStateSecret = config.getOptionalString('stateSecret');
  if (
    configuredStateSecret !== undefined &&
    configuredStateSecret.length < 32
  ) {
    throw new AzureTenantConfigError(
      'azureTenant.stateSecret',
      'must be at least 32 characters',
    );
  }

  const onboarding = config.getOptionalConfig('onboarding');
  const principalNotFoundRetries = readWholeNumber(
    onboarding,
    `${PREFIX}.onboarding`,
    'principalNotFoundRetries',
    { min: 0, max: 100, fallback: 6 },
  );
  const principalNotFoundRetryDelayMs =
    readPrincipalNotFoundRetryDelayMs(onboarding);

  const tenants = readStaticTenants(config);
  const authorityHost = httpsUrl(
    config.getOptionalString('authorityHost') ?? DEFAULT_AUTHORITY_HOST,
    'azureTenant.authorityHost',
  );
  const armEndpoint = httpsUrl(
    config.getOptionalString('armEndpoint') ?? DEFAULT_ARM_ENDPOINT,
    'azureTenant.armEndpoint',
  );
  const requestTimeoutMs = readRequestTimeout(config);

  // Checked after every other setting, so that a wrong value fails even while the app registration is missing.
  if (clientId === undefined) {
    return {
      configured: false,
      reason:
        'azureTenant.clientId is not set: give the app registration with azureTenant.clientId and azureTenant.clientSecret or azureTenant.clientCertificate',
    };
  }
  if (!clientSecret && !certificate) {
    return {
      configured: false,
      reason:
        'neither azureTenant.clientSecret nor azureTenant.clientCertificate is set',
    };
  }
  const credential: AppCredentialConfig = clientSecret
    ? { kind: 'secret', clientSecret }
    : { kind: 'certificate', certificate: certificate! };

  const baseUrl = (key: string) => root.getString(key).replace(/\/+$/, '');
  return {
    configured: true,
    config: {
      clientId,
      credential,
      authorityHost,
      armEndpoint,
      caCert,
      requestTimeoutMs,
      roles,
      partnerId: config.getOptionalString('partnerId'),
      stateSecret:
        configuredStateSecret ??
        `derived:${clientId}:${clientSecret ?? certificate}`,
      onboarding: {
        tenant: onboarding?.getOptionalString('tenant') ?? 'organizations',
        redirectUri:
          onboarding?.getOptionalString('redirectUri') ??
          `${baseUrl('backend.baseUrl')}/api/azure-tenant/onboarding/callback`,
        completionUrl:
          onboarding?.getOptionalString('completionUrl') ??
          `${baseUrl('app.baseUrl')}/azure-tenants`,
        principalNotFoundRetries,
        principalNotFoundRetryDelayMs,
      },
      tenants,
    },
  };
}

/**
 * Reads and validates the `azureTenant` config. Returns undefined when the plugin is not configured (see
 * {@link readAzureTenantSetup}), so that a portal without Azure tenants still starts.
 */
export function readAzureTenantConfig(
  root: Config,
): AzureTenantConfig | undefined {
  const setup = readAzureTenantSetup(root);
  return setup.configured ? setup.config : undefined;
}

function readStaticTenants(config: Config): StaticTenantConfig[] {
  return (config.getOptionalConfigArray('tenants') ?? []).map((tenant, i) => ({
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
          `${key}.syncMode`,
          `must be one of none, no-tags, read-tags, read-write-tags; got '${syncMode}'`,
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
  }));
}
