import {
  CostManagementClient,
  QueryDefinition,
  QueryResult,
} from '@azure/arm-costmanagement';
import {
  createHttpHeaders,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import { RestError } from '@azure/core-rest-pipeline';
import { AzureConnection } from '../azure/azureConnection';
import { AzureTenantMetrics } from '../metrics/azureTenantMetrics';
import {
  costManagementQpuPacingPolicy,
  costManagementRetryAfterPolicy,
} from './costManagementRetryAfterPolicy';
import { DailyCost, StoredForecast } from './SpendStore';
import { monthOfDay } from './spendDays';

/** Reads a subscription's costs from Azure. */
export interface CostReader {
  /** Daily actual cost per resource and service for the days `from`..`to` (`YYYY-MM-DD`, inclusive). */
  readDailyCosts(options: CostReadOptions): Promise<DailyCost[]>;
  /** Cost Management's forecast of the total of the month of `today`. */
  readMonthForecast(options: {
    tenantId: string;
    subscriptionId: string;
    today: string;
  }): Promise<StoredForecast | undefined>;
}

/** What {@link CostReader.readDailyCosts} reads. */
export interface CostReadOptions {
  tenantId: string;
  subscriptionId: string;
  from: string;
  to: string;
}

/** Options for {@link createCostManagementReader}. */
export interface CostManagementReaderOptions {
  connection: AzureConnection;
  /** The longest wait taken from Cost Management's own retry-after headers, in milliseconds. Defaults to 60 000. */
  maxRetryAfterMs?: number;
  /** Counts Cost Management's 429s and the waits they name. */
  metrics?: AzureTenantMetrics;
}

/** A Cost Management answer could not be read. */
export class CostManagementError extends Error {
  readonly code: string;
  readonly cause?: unknown;
  constructor(message: string, options: { code: string; cause?: unknown }) {
    super(message);
    this.name = 'CostManagementError';
    this.code = options.code;
    this.cause = options.cause;
  }
}

/** Whether an error is a {@link CostManagementError}. */
export function isCostManagementError(
  error: unknown,
): error is CostManagementError {
  return error instanceof Error && error.name === 'CostManagementError';
}

const DAILY_COST_DATASET = {
  granularity: 'Daily',
  aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
  grouping: [
    { type: 'Dimension', name: 'ResourceId' },
    { type: 'Dimension', name: 'ServiceName' },
  ],
} as const;

const LOCATION_DATASET = {
  aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
  grouping: [
    { type: 'Dimension', name: 'ResourceId' },
    { type: 'Dimension', name: 'ResourceLocation' },
  ],
} as const;

const COST_COLUMNS = ['cost', 'pretaxcost', 'totalcost'];

/** `20261125` (or `'2026-11-25T00:00:00'`) → `2026-11-25`. */
export function usageDay(value: unknown): string {
  const text = String(value);
  if (/^\d{8}$/.test(text)) {
    return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) return text.slice(0, 10);
  throw new CostManagementError(`Unexpected UsageDate '${text}'`, {
    code: 'UnexpectedColumn',
  });
}

/** Finds the columns of a result by name, case-insensitively, since their order is not promised. */
function columnIndexes(result: QueryResult, names: Record<string, string[]>) {
  const columns = (result.columns ?? []).map(c => (c.name ?? '').toLowerCase());
  const indexes: Record<string, number> = {};
  for (const [key, candidates] of Object.entries(names)) {
    const index = columns.findIndex(c => candidates.includes(c));
    if (index < 0) {
      throw new CostManagementError(
        `Cost Management's answer has no ${candidates.join(
          ' or ',
        )} column (columns: ${columns.join(', ')})`,
        { code: 'UnexpectedColumns' },
      );
    }
    indexes[key] = index;
  }
  return indexes;
}

/**
 * Reads costs through `@azure/arm-costmanagement` with the portal's app credential in the subscription's tenant.
 * The SDK's `query.usage` returns only the first page, so `nextLink` is followed here with the same client pipeline
 * (token, TLS trust and retry policies). Throttling (429) is retried by the SDK's throttling policy, within the
 * pipeline's one retry budget, after the wait Azure names in `Retry-After` or in Cost Management's own headers; and a
 * tenant's queries are paced by what Cost Management says is left of its QPU quotas (`costManagementQpuPacingPolicy`).
 */
export function createCostManagementReader(
  options: CostManagementReaderOptions,
): CostReader {
  const { connection, maxRetryAfterMs = 60_000, metrics } = options;
  const clients = new Map<string, CostManagementClient>();

  function clientFor(tenantId: string): CostManagementClient {
    let client = clients.get(tenantId);
    if (!client) {
      client = new CostManagementClient(
        connection.appCredential(tenantId),
        connection.armClientOptions({
          tenantId,
          metrics,
          api: 'cost-management',
          // The 429 counter comes first: it sees the wait the retry-after policy read from Cost Management's headers.
          policies: [
            {
              policy: costManagementRetryAfterPolicy({ maxRetryAfterMs }),
              position: 'perRetry',
            },
            // Last, so that it paces every try, retries included.
            {
              policy: costManagementQpuPacingPolicy({ tenantId }),
              position: 'perRetry',
            },
          ],
        }),
      );
      clients.set(tenantId, client);
    }
    return client;
  }

  async function postNextLink(
    client: CostManagementClient,
    nextLink: string,
    body: unknown,
  ): Promise<QueryResult> {
    const response = await client.sendRequest(
      createPipelineRequest({
        url: nextLink,
        method: 'POST',
        body: JSON.stringify(body),
        headers: createHttpHeaders({
          'content-type': 'application/json',
          accept: 'application/json',
        }),
      }),
    );
    // 204 No Content: no rows (the spec's Query_Usage answers it beside 200).
    if (response.status === 204) return { rows: [], columns: [] };
    if (response.status < 200 || response.status >= 300) {
      let message = `Cost Management answered ${response.status} to the next page`;
      try {
        const parsed = JSON.parse(response.bodyAsText ?? '');
        if (parsed?.error?.message) message = parsed.error.message;
      } catch {
        // not JSON: keep the status
      }
      throw new RestError(message, {
        statusCode: response.status,
        request: response.request,
        response: { ...response, parsedBody: undefined } as any,
      });
    }
    const parsed = JSON.parse(response.bodyAsText ?? '{}');
    return {
      nextLink: parsed.properties?.nextLink ?? undefined,
      columns: parsed.properties?.columns,
      rows: parsed.properties?.rows,
    };
  }

  /**
   * Runs a query and follows its `nextLink`s; calls `onPage` with each page that has rows. A query with no rows may
   * answer 204 without a body (the SDK then gives a result without columns): that is no rows, not an error.
   */
  async function queryAllPages(
    tenantId: string,
    subscriptionId: string,
    body: Record<string, any>,
    onPage: (page: QueryResult) => void,
  ): Promise<void> {
    const client = clientFor(tenantId);
    const scope = `/subscriptions/${subscriptionId}`;
    const definition: QueryDefinition = {
      ...body,
      timePeriod: {
        from: new Date(body.timePeriod.from),
        to: new Date(body.timePeriod.to),
      },
    } as QueryDefinition;
    let page: QueryResult = (await client.query.usage(scope, definition)) ?? {};
    if (page.rows?.length) onPage(page);
    const seen = new Set<string>();
    while (page.nextLink) {
      const link = page.nextLink;
      if (seen.has(link)) {
        throw new CostManagementError(
          `Cost Management returned the same nextLink twice: ${link}`,
          { code: 'PagingLoop' },
        );
      }
      seen.add(link);
      page = await postNextLink(client, link, body);
      if (page.rows?.length) onPage(page);
    }
  }

  function queryBody(dataset: object, from: string, to: string) {
    return {
      type: 'ActualCost',
      timeframe: 'Custom',
      timePeriod: { from: `${from}T00:00:00Z`, to: `${to}T23:59:59Z` },
      dataset,
    };
  }

  return {
    async readDailyCosts({ tenantId, subscriptionId, from, to }) {
      const locations = new Map<string, string>();
      await queryAllPages(
        tenantId,
        subscriptionId,
        queryBody(LOCATION_DATASET, from, to),
        page => {
          const at = columnIndexes(page, {
            resourceId: ['resourceid'],
            location: ['resourcelocation'],
          });
          for (const row of page.rows ?? []) {
            const id = String(row[at.resourceId] ?? '').toLowerCase();
            const location = String(row[at.location] ?? '').toLowerCase();
            if (location) locations.set(id, location);
          }
        },
      );

      const costs: DailyCost[] = [];
      await queryAllPages(
        tenantId,
        subscriptionId,
        queryBody(DAILY_COST_DATASET, from, to),
        page => {
          const at = columnIndexes(page, {
            cost: COST_COLUMNS,
            resourceId: ['resourceid'],
            serviceName: ['servicename'],
            usageDate: ['usagedate'],
            currency: ['currency', 'billingcurrency'],
          });
          for (const row of page.rows ?? []) {
            const resourceId = String(row[at.resourceId] ?? '');
            costs.push({
              date: usageDay(row[at.usageDate]),
              resourceId,
              serviceName: String(row[at.serviceName] ?? ''),
              location: locations.get(resourceId.toLowerCase()) ?? '',
              currency: String(row[at.currency] ?? '').toUpperCase(),
              amount: Number(row[at.cost]),
            });
          }
        },
      );
      return costs;
    },

    async readMonthForecast({ tenantId, subscriptionId, today }) {
      const client = clientFor(tenantId);
      const { first: monthStart, last: monthEnd } = monthOfDay(today);
      const result = await client.forecast.usage(
        `/subscriptions/${subscriptionId}`,
        {
          type: 'ActualCost',
          timeframe: 'Custom',
          timePeriod: {
            from: new Date(`${monthStart}T00:00:00Z`),
            to: new Date(`${monthEnd}T23:59:59Z`),
          },
          dataset: {
            granularity: 'Daily',
            aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
          },
          includeActualCost: true,
          includeFreshPartialCost: false,
        },
      );
      // A 204 (no rows) comes back as a result without rows.
      const rows = result?.rows ?? [];
      if (rows.length === 0) return undefined;
      const at = columnIndexes(result, {
        cost: COST_COLUMNS,
        currency: ['currency', 'billingcurrency'],
      });
      const currencies = new Set(rows.map(r => String(r[at.currency])));
      if (currencies.size !== 1) {
        // A forecast in two currencies cannot be one figure.
        return undefined;
      }
      return {
        month: today.slice(0, 7),
        monthEnd: rows.reduce((sum, row) => sum + Number(row[at.cost]), 0),
        currency: [...currencies][0].toUpperCase(),
        through: monthEnd,
      };
    },
  };
}
