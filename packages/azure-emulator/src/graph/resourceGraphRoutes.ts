import { ArmCall } from '../arm/ArmCall';
import { ArmError } from '../errors/ArmError';
import {
  EmulatorResponse,
  jsonResponse,
  readJsonBody,
} from '../http/EmulatorHttp';
import { SubscriptionState } from '../model/EmulatorState';
import { ResourceRecord } from '../model/ResourceRecord';
import { queryAdvisorResources } from './advisorRecommendations';
import { invalidQuery, readableSubscriptions } from './resourceGraphRequest';
import { isChangeQuery, queryResourceChanges } from './resourceChanges';

/** A resource in Resource Graph's row shape (`objectArray` result format). */
export function resourceGraphRow(
  subscription: SubscriptionState,
  resource: ResourceRecord,
): Record<string, unknown> {
  return {
    id: resource.id,
    name: resource.name,
    type: resource.type.toLowerCase(),
    tenantId: subscription.tenantId,
    kind: resource.kind ?? '',
    location: resource.location.toLowerCase(),
    resourceGroup: resource.resourceGroup.toLowerCase(),
    subscriptionId: subscription.subscriptionId,
    managedBy: '',
    sku: resource.sku ?? null,
    plan: null,
    properties: { provisioningState: 'Succeeded' },
    tags: resource.tags,
    identity: null,
    zones: null,
    extendedLocation: null,
  };
}

interface GraphCursor {
  s: number;
  i: number;
}

/**
 * `POST /providers/Microsoft.ResourceGraph/resources` for the plain query `resources`: every
 * resource of the requested subscriptions the caller may read, with `$skipToken` paging.
 */
export function queryResourceGraph(call: ArmCall): EmulatorResponse {
  const body = readJsonBody(call.request);
  const query = String(body?.query ?? '').trim();
  if (/^advisorresources\b/i.test(query)) {
    return queryAdvisorResources(
      call,
      body,
      query,
      readableSubscriptions(
        call,
        body,
        'Microsoft.Advisor/recommendations/read',
      ),
    );
  }
  if (isChangeQuery(query)) {
    return queryResourceChanges(
      call,
      body,
      query,
      readableSubscriptions(
        call,
        body,
        'Microsoft.Resources/subscriptions/resources/read',
      ),
    );
  }
  if (!/^resources$/i.test(query)) {
    throw invalidQuery(
      query,
      "The emulator only supports the plain query 'resources' on this table.",
    );
  }
  const subscriptions = readableSubscriptions(
    call,
    body,
    'Microsoft.Resources/subscriptions/resources/read',
  );
  const options = body.options ?? {};
  const top = Math.min(
    Number(options.$top ?? call.context.settings.resourceGraphPageSize),
    1000,
  );
  const skip = Number(options.$skip ?? 0);
  let cursor: GraphCursor = { s: 0, i: -1 };
  if (options.$skipToken) {
    try {
      cursor = JSON.parse(
        Buffer.from(String(options.$skipToken), 'base64').toString('utf8'),
      );
    } catch (error) {
      throw new ArmError(400, 'BadRequest', 'The $skipToken is invalid.', {
        cause: error,
      });
    }
  }
  let totalRecords = 0;
  for (const s of subscriptions) {
    for (const _ of s.resources.entries()) totalRecords++;
  }
  const data: Record<string, unknown>[] = [];
  let skipped = 0;
  let next: GraphCursor | undefined;
  for (let si = cursor.s; si < subscriptions.length && !next; si++) {
    const subscription = subscriptions[si];
    for (const resource of subscription.resources.entries(
      si === cursor.s ? cursor.i : -1,
    )) {
      if (!options.$skipToken && skipped < skip) {
        skipped++;
        continue;
      }
      if (data.length === top) {
        next = { s: si, i: resource.index - 1 };
        break;
      }
      data.push(resourceGraphRow(subscription, resource));
    }
  }
  return jsonResponse(200, {
    totalRecords,
    count: data.length,
    data,
    facets: [],
    resultTruncated: 'false',
    ...(next
      ? { $skipToken: Buffer.from(JSON.stringify(next)).toString('base64') }
      : {}),
  });
}
