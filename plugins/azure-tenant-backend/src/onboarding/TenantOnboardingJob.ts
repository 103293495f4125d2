import { setTimeout as sleep } from 'node:timers/promises';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ACEProvisioningManagementPartnerAPI } from '@azure/arm-managementpartner';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { AccessToken, TokenCredential } from '@azure/core-auth';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Onboarding,
  RoleAssignmentResult,
} from '@azure-tenant/plugin-azure-tenant-common';
import { ARM_APP_SCOPE, AzureConnection } from '../azure/azureConnection';
import { azureErrorFields } from '../metrics/azureFailure';
import {
  RoleToAssign,
  ROLE_GRANTING_ROLE_IDS,
  coversSubscription,
  roleDefinitionGuid,
} from '../azure/builtInRoles';
import { DelegatedArmToken } from '../azure/entraAuthorization';
import { readAccessTokenClaims } from '../azure/jwtClaims';
import { roleAssignmentName } from './roleAssignmentName';
import { describeAzureError } from '../azure/describeAzureError';

/** A subscription the consenting user can see, and what happened there. */
export interface SubscriptionOnboarding {
  subscriptionId: string;
  displayName: string;
  state?: string;
  results: RoleAssignmentResult[];
}

/** What an onboarding job found and did in a tenant. */
export interface TenantOnboardingReport {
  tenantId: string;
  tenantDisplayName?: string;
  servicePrincipalId: string;
  subscriptions: SubscriptionOnboarding[];
  partnerAdminLink?: Onboarding['partnerAdminLink'];
}

/** Options for {@link runTenantOnboarding}. */
export interface TenantOnboardingOptions {
  connection: AzureConnection;
  roles: RoleToAssign[];
  logger: LoggerService;
  /** How often to retry while Azure has not replicated the new service principal yet. */
  principalNotFoundRetries: number;
  /** The first retry delay, doubled each time. */
  principalNotFoundRetryDelayMs: number;
}

/** Error codes and AADSTS codes that mean a new service principal has not reached every Azure region yet. */
const REPLICATION_ERRORS = ['PrincipalNotFound'];
const REPLICATION_AADSTS = ['AADSTS7000229', 'AADSTS700016', 'AADSTS65001'];

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number })?.statusCode;
}

async function withReplicationRetries<T>(
  options: TenantOnboardingOptions,
  isReplicationError: (error: unknown) => boolean,
  action: () => Promise<T>,
): Promise<T> {
  let delay = options.principalNotFoundRetryDelayMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (
        attempt >= options.principalNotFoundRetries ||
        !isReplicationError(error)
      ) {
        throw error;
      }
      await sleep(delay);
      delay *= 2;
    }
  }
}

/**
 * The object id of the portal's service principal in a tenant: the `oid` of an app-only token there. Admin consent
 * has just created the principal, so its first token may take a few retries.
 */
async function servicePrincipalObjectId(
  tenantId: string,
  options: TenantOnboardingOptions,
): Promise<string> {
  // Start from a new token: a token cached before the tenant's service principal was deleted stays valid until it
  // expires and names the old principal (a Reconnect after a deletion would then check the old one's roles).
  options.connection.renewAppCredential(tenantId);
  const credential = options.connection.appCredential(tenantId);
  let token: string;
  try {
    token = await withReplicationRetries(
      options,
      error =>
        REPLICATION_AADSTS.some(code =>
          String((error as Error)?.message).includes(code),
        ),
      async () => {
        const result = await credential.getToken(ARM_APP_SCOPE);
        if (!result) throw new Error('Entra ID returned no app-only token');
        return result.token;
      },
    );
  } catch (error) {
    // The SDK's message alone can be empty or say little (a gateway's 5xx page, for one).
    throw new Error(
      `Microsoft Entra ID did not issue the portal's app-only token in tenant ${tenantId}: ${
        describeAzureError(error) || 'no reason given'
      }`,
    );
  }
  const oid = readAccessTokenClaims(token).oid;
  if (!oid) throw new Error('The app-only token names no service principal');
  return oid;
}

async function onboardSubscription(
  authorization: AuthorizationManagementClient,
  subscription: { subscriptionId: string; displayName: string },
  userObjectId: string,
  servicePrincipalId: string,
  options: TenantOnboardingOptions,
): Promise<RoleAssignmentResult[]> {
  const scope = `/subscriptions/${subscription.subscriptionId}`;
  const result = (
    roleName: string,
    outcome: RoleAssignmentResult['outcome'],
    reason?: string,
  ): RoleAssignmentResult => ({
    subscriptionId: subscription.subscriptionId,
    subscriptionName: subscription.displayName,
    roleName,
    outcome,
    ...(reason ? { reason } : {}),
  });

  let userCanGrant = false;
  const present = new Set<string>();
  try {
    for await (const assignment of authorization.roleAssignments.listForScope(
      scope,
      {
        filter: `assignedTo('${userObjectId}')`,
      },
    )) {
      if (
        assignment.scope &&
        coversSubscription(assignment.scope, scope) &&
        assignment.roleDefinitionId &&
        ROLE_GRANTING_ROLE_IDS.has(
          roleDefinitionGuid(assignment.roleDefinitionId),
        )
      ) {
        userCanGrant = true;
      }
    }
    if (userCanGrant) {
      for await (const assignment of authorization.roleAssignments.listForScope(
        scope,
        {
          filter: `principalId eq '${servicePrincipalId}'`,
        },
      )) {
        if (
          assignment.roleDefinitionId &&
          assignment.scope &&
          coversSubscription(assignment.scope, scope)
        ) {
          present.add(roleDefinitionGuid(assignment.roleDefinitionId));
        }
      }
    }
  } catch (error) {
    const reason = `Could not read the role assignments of this subscription: ${describeAzureError(
      error,
    )}`;
    return options.roles.map(role => result(role.name, 'failed', reason));
  }

  if (!userCanGrant) {
    return options.roles.map(role =>
      result(
        role.name,
        'skipped-not-owner',
        'You are neither Owner nor User Access Administrator of this subscription, so the portal could not assign roles there.',
      ),
    );
  }

  const results: RoleAssignmentResult[] = [];
  for (const role of options.roles) {
    if (present.has(role.roleDefinitionGuid)) {
      results.push(result(role.name, 'already-present'));
      continue;
    }
    try {
      await withReplicationRetries(
        options,
        error => REPLICATION_ERRORS.includes(errorCode(error) ?? ''),
        () =>
          authorization.roleAssignments.create(
            scope,
            roleAssignmentName(
              scope,
              servicePrincipalId,
              role.roleDefinitionGuid,
            ),
            {
              roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${role.roleDefinitionGuid}`,
              principalId: servicePrincipalId,
              principalType: 'ServicePrincipal',
            },
          ),
      );
      results.push(result(role.name, 'assigned'));
    } catch (error) {
      if (
        errorCode(error) === 'RoleAssignmentExists' ||
        statusCode(error) === 409
      ) {
        results.push(result(role.name, 'already-present'));
      } else {
        results.push(result(role.name, 'failed', describeAzureError(error)));
      }
    }
  }
  return results;
}

async function associatePartnerAdminLink(
  tenantId: string,
  partnerId: string,
  options: TenantOnboardingOptions,
): Promise<Onboarding['partnerAdminLink']> {
  const client = new ACEProvisioningManagementPartnerAPI(
    options.connection.appCredential(tenantId),
    options.connection.armClientOptions(),
  );
  try {
    const current = await client.partner.get(partnerId).catch(error => {
      if (statusCode(error) === 404) return undefined;
      throw error;
    });
    if (current?.partnerId === partnerId) return 'already-associated';
    await client.partner.create(partnerId);
    return 'associated';
  } catch (error) {
    options.logger.warn(
      `Could not associate Partner Admin Link ${partnerId} in tenant ${tenantId}: ${describeAzureError(
        error,
      )}`,
      { tenantId, partnerId, ...azureErrorFields(error) },
    );
    return 'failed';
  }
}

/**
 * Acts as the consenting user, once: finds the portal's service principal in the user's tenant, and on each
 * subscription the user can see, assigns the configured roles to it where the user is Owner or User Access
 * Administrator. Then associates Partner Admin Link when configured, with the portal's own credential.
 *
 * The delegated token is only held by the credential made here, which is dropped when this function returns.
 */
export async function runTenantOnboarding(
  delegated: DelegatedArmToken,
  options: TenantOnboardingOptions,
): Promise<TenantOnboardingReport> {
  const token: AccessToken = {
    token: delegated.accessToken,
    expiresOnTimestamp: delegated.expiresOnTimestamp,
  };
  const userCredential: TokenCredential = {
    getToken: async () => {
      if (Date.now() >= token.expiresOnTimestamp) {
        throw new Error('The consenting user’s delegated token has expired');
      }
      return token;
    },
  };
  const { tenantId, userObjectId } = delegated;

  const servicePrincipalId = await servicePrincipalObjectId(tenantId, options);

  const subscriptionsClient = new SubscriptionClient(
    userCredential,
    options.connection.armClientOptions(),
  );
  let tenantDisplayName: string | undefined;
  for await (const tenant of subscriptionsClient.tenants.list()) {
    if (tenant.tenantId?.toLowerCase() === tenantId.toLowerCase()) {
      tenantDisplayName = tenant.displayName;
    }
  }
  const visible: {
    subscriptionId: string;
    displayName: string;
    state?: string;
  }[] = [];
  for await (const subscription of subscriptionsClient.subscriptions.list()) {
    if (!subscription.subscriptionId) continue;
    if (
      subscription.tenantId &&
      subscription.tenantId.toLowerCase() !== tenantId.toLowerCase()
    ) {
      // Guest access to another tenant's subscription: that tenant has not consented.
      continue;
    }
    visible.push({
      subscriptionId: subscription.subscriptionId.toLowerCase(),
      displayName: subscription.displayName ?? subscription.subscriptionId,
      state: subscription.state,
    });
  }

  const subscriptions: SubscriptionOnboarding[] = [];
  for (const subscription of visible) {
    const authorization = new AuthorizationManagementClient(
      userCredential,
      subscription.subscriptionId,
      options.connection.armClientOptions(),
    );
    subscriptions.push({
      ...subscription,
      results: await onboardSubscription(
        authorization,
        subscription,
        userObjectId,
        servicePrincipalId,
        options,
      ),
    });
  }

  const partnerId = options.connection.config.partnerId;
  const partnerAdminLink = partnerId
    ? await associatePartnerAdminLink(tenantId, partnerId, options)
    : undefined;

  return {
    tenantId,
    tenantDisplayName,
    servicePrincipalId,
    subscriptions,
    partnerAdminLink,
  };
}
