import { containsControlCharacter } from '../tags/resourceIdentifier';
import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  SpendGranularity,
  SpendGroupBy,
} from '@azure-tenant/plugin-azure-tenant-common';
import { NormalizedSpendQuery } from './SpendQueryService';
import { SpendTargetQuery } from './SpendTargetResolver';

/** The longest period one query may cover, in days. */
export const MAX_SPEND_PERIOD_DAYS = 366;
/** The most groups a query may keep before `other`. */
export const MAX_SPEND_TOP = 50;
/** Groups kept before `other` when `top` is not given. */
export const DEFAULT_SPEND_TOP = 5;

const GRANULARITIES: SpendGranularity[] = ['day', 'month'];
const GROUP_BYS = ['service', 'resourceGroup', 'resource', 'location'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function single(query: Record<string, unknown>, name: string) {
  const value = query[name];
  if (value === undefined) return undefined;
  // An OpenAPI-validating router may already have coerced numbers.
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') {
    throw new InputError(`Query parameter '${name}' must be given once`);
  }
  return value;
}

function day(query: Record<string, unknown>, name: string): string {
  const value = single(query, name);
  if (!value) {
    throw new InputError(
      `Query parameter '${name}' is required, as a date YYYY-MM-DD`,
    );
  }
  const parsed = Date.parse(`${value}T00:00:00Z`);
  if (
    !DAY.test(value) ||
    Number.isNaN(parsed) ||
    new Date(parsed).toISOString().slice(0, 10) !== value
  ) {
    throw new InputError(
      `Query parameter '${name}' must be a date YYYY-MM-DD, got '${value}'`,
    );
  }
  return value;
}

/** A validated `GET /spend` query: whose spend, the entity ref to authorize against, and the report's query. */
export interface ParsedSpendQuery {
  target: SpendTargetQuery;
  query: NormalizedSpendQuery;
}

/** Validates the query string of `GET /spend` and `GET /spend.csv`; throws an `InputError` that names the problem. */
export function parseSpendQuery(
  query: Record<string, unknown>,
): ParsedSpendQuery {
  const subscriptionId = single(query, 'subscriptionId');
  const resourceId = single(query, 'resourceId');
  const entityRef = single(query, 'entityRef');
  const given = [subscriptionId, resourceId, entityRef].filter(
    v => v !== undefined,
  );
  if (given.length !== 1) {
    throw new InputError(
      'Give exactly one of the query parameters subscriptionId, resourceId and entityRef',
    );
  }

  let target: SpendTargetQuery;
  if (subscriptionId !== undefined) {
    if (!GUID.test(subscriptionId)) {
      throw new InputError(
        `subscriptionId must be a subscription GUID, got '${subscriptionId}'`,
      );
    }
    target = { subscriptionId: subscriptionId.toLowerCase() };
  } else if (resourceId !== undefined) {
    if (containsControlCharacter(resourceId)) {
      throw new InputError(
        `resourceId must be an Azure resource id, and '${JSON.stringify(
          resourceId,
        ).slice(1, -1)}' holds a control character`,
      );
    }
    if (!/^\/subscriptions\/[^/]+\/.+/i.test(resourceId)) {
      throw new InputError(
        `resourceId must be an Azure resource id (/subscriptions/…/resourceGroups/…/providers/…), got '${resourceId}'`,
      );
    }
    target = { resourceId };
  } else {
    try {
      target = { entityRef: stringifyEntityRef(parseEntityRef(entityRef!)) };
    } catch (error) {
      throw new InputError(
        `entityRef must be an entity reference such as group:default/platform: ${
          (error as Error).message
        }`,
      );
    }
  }

  const from = day(query, 'from');
  const to = day(query, 'to');
  if (from > to) {
    throw new InputError(`'from' (${from}) must not be after 'to' (${to})`);
  }
  const days =
    (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) /
      86_400_000 +
    1;
  if (days > MAX_SPEND_PERIOD_DAYS) {
    throw new InputError(
      `The period from ${from} to ${to} is ${days} days; it can be at most ${MAX_SPEND_PERIOD_DAYS} days`,
    );
  }

  const granularity = (single(query, 'granularity') ??
    'day') as SpendGranularity;
  if (!GRANULARITIES.includes(granularity)) {
    throw new InputError(
      `granularity must be day or month, got '${granularity}'`,
    );
  }

  const groupBy = (single(query, 'groupBy') ?? 'service') as SpendGroupBy;
  if (
    !GROUP_BYS.includes(groupBy) &&
    !(groupBy.startsWith('tag:') && groupBy.length > 'tag:'.length)
  ) {
    throw new InputError(
      `groupBy must be service, resourceGroup, resource, location or tag:<key>, got '${groupBy}'`,
    );
  }

  const topText = single(query, 'top');
  const top = topText === undefined ? DEFAULT_SPEND_TOP : Number(topText);
  if (
    !/^\d+$/.test(topText ?? String(top)) ||
    !Number.isInteger(top) ||
    top < 1 ||
    top > MAX_SPEND_TOP
  ) {
    throw new InputError(
      `top must be a whole number from 1 to ${MAX_SPEND_TOP}, got '${topText}'`,
    );
  }

  return {
    target,
    query: { ...target, from, to, granularity, groupBy, top },
  };
}
