import { ResourceManagementContext } from '@azure/arm-resources/api';
import {
  createRestError,
  PathUncheckedResponse,
} from '@azure-rest/core-client';

/**
 * The API version of `Resources - List By Subscription` that the sync reads, the one `@azure/arm-resources` 8 uses.
 */
export const RESOURCES_API_VERSION = '2025-04-01';

/**
 * A resource as ARM lists it (`GenericResourceExpanded`), with only the fields the sync reads, as they are on the
 * wire: times are ISO 8601 strings.
 */
export interface ListedResource {
  id?: string;
  name?: string;
  type?: string;
  location?: string;
  kind?: string;
  tags?: Record<string, string>;
  createdTime?: string;
  changedTime?: string;
}

function expectOk(response: PathUncheckedResponse): Record<string, unknown> {
  if (response.status !== '200') throw createRestError(response);
  const body = response.body;
  if (!body || typeof body !== 'object' || !Array.isArray(body.value)) {
    throw createRestError(
      'Azure Resource Manager answered a resource list without a value array',
      response,
    );
  }
  return body;
}

/**
 * The resources of a subscription, page by page (`GET /subscriptions/{id}/resources`, following `nextLink`).
 *
 * It goes through the modular API of `@azure/arm-resources` (its client context, so the same pipeline: the
 * credential, retries, throttling policies and TLS settings), but hands out the items as ARM sent them. The SDK's
 * operation would copy every item into a model and parse its times into `Date`s, which is most of the cost of a
 * sync that finds nothing changed in a large tenant; the sync reads seven fields and hashes them as they are.
 */
export async function* listResourcePages(
  context: ResourceManagementContext,
  options: { expand?: string; top?: number },
): AsyncGenerator<ListedResource[]> {
  let response = await context
    .path('/subscriptions/{subscriptionId}/resources', context.subscriptionId)
    .get({
      queryParameters: {
        'api-version': RESOURCES_API_VERSION,
        ...(options.expand ? { $expand: options.expand } : {}),
        ...(options.top ? { $top: options.top } : {}),
      },
      headers: { accept: 'application/json' },
    });
  for (;;) {
    const body = expectOk(response);
    yield body.value as ListedResource[];
    const nextLink = body.nextLink;
    if (typeof nextLink !== 'string' || nextLink === '') return;
    response = await context
      .pathUnchecked(nextLink)
      .get({ headers: { accept: 'application/json' } });
  }
}
