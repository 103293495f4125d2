import { ResourceManagementClient } from '@azure/arm-resources';
import { AzureTenantMetrics } from '../metrics/azureTenantMetrics';
import {
  AzureAccessError,
  AzureOperation,
  classifyAccessProblem,
} from '../azure/accessProblems';
import { ARM_APP_SCOPE, AzureConnection } from '../azure/azureConnection';

/** How often to poll a tag write that Azure accepted with 202, when Azure's answer has no `Retry-After`. */
const LRO_POLL_INTERVAL_MS = 1_000;
/** How long a tag write that Azure accepted with 202 may take to finish. */
const LRO_TIMEOUT_MS = 60_000;

/** Where a resource lives in Azure: the tenant whose app credential may write its tags, and its subscription. */
export interface TagScope {
  tenantId: string;
  subscriptionId: string;
  resourceId: string;
}

/**
 * The only Azure writes of the tag feature: Microsoft.Resources/tags at a resource's scope, the API that Tag
 * Contributor allows. A PATCH `Merge` sets tags and a PATCH `Delete` removes them, so tags that someone else changes
 * in Azure at the same time are kept.
 */
export interface AzureTagsClient {
  /** The resource's current tags in Azure. */
  getTags(scope: TagScope): Promise<Record<string, string>>;
  /** Applies a PATCH and returns the resource's tags as Azure answered. */
  patchTags(
    scope: TagScope,
    operation: 'Merge' | 'Delete',
    tags: Record<string, string>,
  ): Promise<Record<string, string>>;
}

/** Options for {@link createAzureTagsClient}. */
export interface AzureTagsClientOptions {
  /** The portal's app credential in each tenant, and the ARM endpoint with its trusted CA. */
  connection: AzureConnection;
  /** Counts ARM's 429s to tag reads and writes. */
  metrics?: AzureTenantMetrics;
}

/** An {@link AzureTagsClient} with the portal's app-only credential in the resource's tenant. */
export function createAzureTagsClient(
  options: AzureTagsClientOptions,
): AzureTagsClient {
  const { connection, metrics } = options;
  // One client per subscription, so that its credential caches its token across edits.
  const clients = new Map<string, ResourceManagementClient>();
  const clientFor = (scope: TagScope) => {
    const key = `${scope.tenantId}/${scope.subscriptionId}`;
    let client = clients.get(key);
    if (!client) {
      client = new ResourceManagementClient(
        connection.appCredential(scope.tenantId),
        scope.subscriptionId,
        connection.armClientOptions({ tenantId: scope.tenantId, metrics }),
      );
      clients.set(key, client);
    }
    return client;
  };
  // The SDK's URL template is `/{+scope}`: without the leading slash, the path has no `//`.
  const armScope = (resourceId: string) => resourceId.replace(/^\/+/, '');

  /**
   * Runs a call; lost access comes out as an {@link AzureAccessError} (a sentence and Azure's code, never the SDK's
   * error). A 401 or 403 may also mean that the whole tenant refuses the portal now (a cached token outlives a
   * revoked consent): a new token tells.
   */
  async function withAccessCheck<T>(
    scope: TagScope,
    operation: AzureOperation,
    call: () => Promise<T>,
  ): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const finding = classifyAccessProblem(error, operation, scope);
      if (!finding) throw error;
      if (
        finding.scope === 'subscription' &&
        finding.code !== 'SubscriptionNotFound'
      ) {
        connection.renewAppCredential(scope.tenantId);
        try {
          await connection
            .appCredential(scope.tenantId)
            .getToken(ARM_APP_SCOPE);
        } catch (tokenError) {
          const tenantFinding = classifyAccessProblem(
            tokenError,
            'token',
            scope,
          );
          if (tenantFinding) throw new AzureAccessError(tenantFinding);
        }
      }
      throw new AzureAccessError(finding);
    }
  }

  async function getTags(scope: TagScope): Promise<Record<string, string>> {
    const result = await withAccessCheck(scope, 'read', () =>
      clientFor(scope).tagsOperations.getAtScope(armScope(scope.resourceId)),
    );
    return { ...result.properties?.tags };
  }

  return {
    getTags,
    async patchTags(scope, operation, tags) {
      // Azure may accept the PATCH with 202 and finish it later (the Tags API is long-running): the SDK's poller
      // follows Azure-AsyncOperation / Location, at Azure's Retry-After, until the operation is done, for at most
      // LRO_TIMEOUT_MS; the write is not done before that.
      const result = await withAccessCheck(scope, 'tag-write', () =>
        clientFor(scope).tagsOperations.updateAtScope(
          armScope(scope.resourceId),
          { operation, properties: { tags } },
          {
            updateIntervalInMs: LRO_POLL_INTERVAL_MS,
            abortSignal: AbortSignal.timeout(LRO_TIMEOUT_MS),
          },
        ),
      );
      if (result.properties?.tags) return { ...result.properties.tags };
      // An operation whose result carries no tags: the tags as Azure holds them now are the answer.
      return getTags(scope);
    },
  };
}
