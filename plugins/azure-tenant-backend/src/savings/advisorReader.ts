import { SavingsRecommendation } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureConnection } from '../azure/azureConnection';
import { resourceGraphClientsByTenant } from '../azure/resourceGraphClients';
import { AzureTenantMetrics } from '../metrics/azureTenantMetrics';

/** Reads Azure Advisor's cost recommendations of a subscription. */
export interface AdvisorReader {
  readCostRecommendations(options: {
    tenantId: string;
    subscriptionId: string;
  }): Promise<SavingsRecommendation[]>;
}

/** Options for {@link createAdvisorReader}. */
export interface AdvisorReaderOptions {
  connection: AzureConnection;
  /** Rows per Resource Graph page (`$top`), 1 to 1000. Defaults to 1000, Resource Graph's largest page. */
  pageSize?: number;
  /** Counts Resource Graph's 429s and the waits they name. */
  metrics?: AzureTenantMetrics;
}

/** An answer of Resource Graph that cannot be read as Advisor's rows. */
export class AdvisorResponseError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'AdvisorResponseError';
    this.code = code;
  }
}

/**
 * Advisor's cost recommendations in Resource Graph (Learn, "Query Advisor data with Resource Graph"). No `project`:
 * the rows are small, and the emulator, as strict as Azure about what it serves, runs only `where` stages.
 */
export const ADVISOR_COST_QUERY =
  "advisorresources | where type =~ 'microsoft.advisor/recommendations' | where properties.category == 'Cost'";

const RECOMMENDATION_SUFFIX =
  /\/providers\/microsoft\.advisor\/recommendations\/[^/]+$/i;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/** Advisor keeps extended properties as strings (`"123.45"`); a number is taken as it is. */
function amountOf(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  const amount = Number(value);
  return Number.isFinite(amount) && amount >= 0 ? amount : undefined;
}

/**
 * One row of `advisorresources` as a recommendation; undefined for a row that names no recommendation id or resource,
 * or that belongs to another subscription.
 */
export function recommendationOf(
  row: unknown,
  subscriptionId: string,
): SavingsRecommendation | undefined {
  if (!row || typeof row !== 'object') return undefined;
  const {
    id,
    subscriptionId: rowSubscription,
    properties,
  } = row as Record<string, any>;
  const recommendationId = text(id);
  if (!recommendationId) return undefined;
  if (
    text(rowSubscription) &&
    rowSubscription.toLowerCase() !== subscriptionId.toLowerCase()
  ) {
    return undefined;
  }
  const props = properties && typeof properties === 'object' ? properties : {};
  // The resource is named in resourceMetadata; failing that, the recommendation's id is the resource's id plus a suffix.
  const resourceId =
    text(props.resourceMetadata?.resourceId) ??
    (RECOMMENDATION_SUFFIX.test(recommendationId)
      ? recommendationId.replace(RECOMMENDATION_SUFFIX, '')
      : undefined);
  if (!resourceId) return undefined;
  const extended =
    props.extendedProperties && typeof props.extendedProperties === 'object'
      ? props.extendedProperties
      : {};
  const monthlySavings = amountOf(extended.savingsAmount);
  const currency = text(extended.savingsCurrency)?.toUpperCase();
  const lastUpdated = Date.parse(text(props.lastUpdated) ?? '');
  return {
    id: recommendationId.toLowerCase(),
    resourceId,
    subscriptionId: subscriptionId.toLowerCase(),
    impact: text(props.impact) ?? 'Unknown',
    problem: text(props.shortDescription?.problem) ?? '',
    solution: text(props.shortDescription?.solution) ?? '',
    // A saving without its currency could be summed with another currency's: it is kept apart as having none.
    ...(monthlySavings !== undefined && currency
      ? { monthlySavings, currency }
      : {}),
    lastUpdated: Number.isNaN(lastUpdated)
      ? new Date(0).toISOString()
      : new Date(lastUpdated).toISOString(),
  };
}

/**
 * Reads Advisor's cost recommendations from Resource Graph's `advisorresources` through `@azure/arm-resourcegraph`,
 * one subscription per query, with the portal's app credential in the subscription's tenant, following
 * `$skipToken` page by page. One client per tenant, so that its quota policy paces every query of that principal.
 *
 * Resource Graph leaves out the subscriptions the principal cannot read instead of refusing them: an empty answer
 * does not prove access. The savings sync reads the subscription's budgets first, which Azure refuses with a 403.
 */
export function createAdvisorReader(
  options: AdvisorReaderOptions,
): AdvisorReader {
  const { connection, metrics } = options;
  const pageSize = Math.min(Math.max(1, options.pageSize ?? 1000), 1000);
  const clientFor = resourceGraphClientsByTenant({ connection, metrics });

  return {
    async readCostRecommendations({ tenantId, subscriptionId }) {
      const client = clientFor(tenantId);
      const recommendations = new Map<string, SavingsRecommendation>();
      const seen = new Set<string>();
      let skipToken: string | undefined;
      do {
        const page = await client.resources({
          subscriptions: [subscriptionId],
          query: ADVISOR_COST_QUERY,
          options: {
            top: pageSize,
            resultFormat: 'objectArray',
            ...(skipToken ? { skipToken } : {}),
          },
        });
        if (!Array.isArray(page.data)) {
          throw new AdvisorResponseError(
            "Resource Graph answered without an array of rows in 'data'",
            'UnexpectedResultFormat',
          );
        }
        for (const row of page.data) {
          const recommendation = recommendationOf(row, subscriptionId);
          if (recommendation) {
            recommendations.set(recommendation.id, recommendation);
          }
        }
        skipToken = page.skipToken || undefined;
        if (skipToken) {
          if (seen.has(skipToken)) {
            throw new AdvisorResponseError(
              'Resource Graph returned the same $skipToken twice',
              'PagingLoop',
            );
          }
          seen.add(skipToken);
        }
      } while (skipToken);
      return [...recommendations.values()];
    },
  };
}
