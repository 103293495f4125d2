import { containsControlCharacter } from '../tags/resourceIdentifier';
import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { SpendGroupBy } from '@azure-tenant/plugin-azure-tenant-common';
import { GetSpend } from '../schema/openapi';
import { NormalizedSpendQuery } from './SpendQueryService';
import { SpendTargetQuery } from './SpendTargetResolver';
import { daysIn, isDay } from './spendDays';

/** The longest period one query may cover, in days. */
export const MAX_SPEND_PERIOD_DAYS = 366;

/**
 * The document's `date` format checks the shape YYYY-MM-DD only; this refuses days that do not exist, such as
 * 30 February, which would otherwise roll over into the next month.
 */
function calendarDay(value: string, name: string): string {
  if (!isDay(value)) {
    throw new InputError(
      `Query parameter '${name}' must be a date YYYY-MM-DD, got '${value}'`,
    );
  }
  return value;
}

/**
 * Whose spend (or savings): the one target a query names, checked as `GET /spend` checks it. Shared by the
 * endpoints that take the same `subscriptionId`, `resourceId` or `entityRef`.
 */
export function parseSpendTarget(
  query: Pick<GetSpend['query'], 'subscriptionId' | 'resourceId' | 'entityRef'>,
): SpendTargetQuery {
  const { subscriptionId, resourceId, entityRef } = query;
  const given = [subscriptionId, resourceId, entityRef].filter(
    v => v !== undefined,
  );
  if (given.length !== 1) {
    throw new InputError(
      'Give exactly one of the query parameters subscriptionId, resourceId and entityRef',
    );
  }
  if (subscriptionId !== undefined) {
    return { subscriptionId: subscriptionId.toLowerCase() };
  }
  if (resourceId !== undefined) {
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
    return { resourceId };
  }
  try {
    return { entityRef: stringifyEntityRef(parseEntityRef(entityRef!)) };
  } catch (error) {
    throw new InputError(
      `entityRef must be an entity reference such as group:default/platform: ${
        (error as Error).message
      }`,
    );
  }
}

/** A validated `GET /spend` query: whose spend, the entity ref to authorize against, and the report's query. */
export interface ParsedSpendQuery {
  target: SpendTargetQuery;
  query: NormalizedSpendQuery;
}

/**
 * The query string of `GET /spend` and `GET /spend.csv`, after the router checked it against the API's document
 * (dates, granularity, groupBy, top). Checks what the document cannot say, and throws an `InputError` that names
 * the problem: exactly one target, a resource id or entity ref that parses, and the period.
 */
export function parseSpendQuery(query: GetSpend['query']): ParsedSpendQuery {
  const target = parseSpendTarget(query);
  const from = calendarDay(query.from, 'from');
  const to = calendarDay(query.to, 'to');
  if (from > to) {
    throw new InputError(`'from' (${from}) must not be after 'to' (${to})`);
  }
  const days = daysIn(from, to);
  if (days > MAX_SPEND_PERIOD_DAYS) {
    throw new InputError(
      `The period from ${from} to ${to} is ${days} days; it can be at most ${MAX_SPEND_PERIOD_DAYS} days`,
    );
  }
  // The document's defaults, for a caller that did not go through the router.
  const granularity = query.granularity ?? 'day';
  const groupBy = (query.groupBy ?? 'service') as SpendGroupBy;
  const top = query.top ?? 5;
  return {
    target,
    query: { ...target, from, to, granularity, groupBy, top },
  };
}
