import {
  Budget as ConsumptionBudget,
  ConsumptionManagementClient,
} from '@azure/arm-consumption';
import { AzureConnection } from '../../azure/azureConnection';
import { AzureTenantMetrics } from '../../metrics/azureTenantMetrics';
import { AzureBudgetRead } from '../../savings/SavingsStore';

/** Reads the budgets defined in Azure for a subscription. */
export interface AzureBudgetReader {
  readBudgets(options: {
    tenantId: string;
    subscriptionId: string;
  }): Promise<AzureBudgetRead[]>;
}

/** Options for {@link createAzureBudgetReader}. */
export interface AzureBudgetReaderOptions {
  connection: AzureConnection;
  /** Below this many remaining ARM reads of a subscription, reads slow down (`azureTenant.sync.minRemainingReads`). */
  minRemainingReads: number;
  /** Counts ARM's 429s and the waits before reads. */
  metrics?: AzureTenantMetrics;
}

/** `2026-11-01T00:00:00Z` (as a `Date` from the SDK, or text) → `2026-11-01`; undefined when not a time. */
function dayOf(value: unknown): string | undefined {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime())
      ? undefined
      : value.toISOString().slice(0, 10);
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    return value.slice(0, 10);
  }
  return undefined;
}

function spendOf(value: { amount?: number; unit?: string } | undefined) {
  return value &&
    typeof value.amount === 'number' &&
    Number.isFinite(value.amount) &&
    typeof value.unit === 'string'
    ? { amount: value.amount, unit: value.unit.toUpperCase() }
    : undefined;
}

/**
 * A budget as Consumption answers it (`Budget` of consumption.json), in the portal's shape; undefined for one without
 * an id or name. Azure writes the id without its leading slash (BudgetsList.json); the portal's ids have one. Only the
 * enabled notifications are kept: a disabled one alerts nobody.
 */
export function azureBudgetOf(
  budget: ConsumptionBudget,
  subscriptionId: string,
): AzureBudgetRead | undefined {
  if (!budget.id || !budget.name) return undefined;
  const id = `/${budget.id.replace(/^\/+/, '')}`;
  const resourceGroup = /\/resourceGroups\/([^/]+)\//i.exec(id)?.[1];
  const currentSpend = spendOf(budget.currentSpend);
  const forecastSpend = spendOf(budget.forecastSpend);
  const endDate = dayOf(budget.timePeriod?.endDate);
  return {
    id,
    name: budget.name,
    subscriptionId: subscriptionId.toLowerCase(),
    ...(resourceGroup ? { resourceGroup } : {}),
    amount: typeof budget.amount === 'number' ? budget.amount : 0,
    timeGrain: budget.timeGrain ?? 'Monthly',
    startDate: dayOf(budget.timePeriod?.startDate) ?? '',
    ...(endDate ? { endDate } : {}),
    ...(currentSpend ? { currentSpend } : {}),
    ...(forecastSpend ? { forecastSpend } : {}),
    notifications: Object.values(budget.notifications ?? {})
      .filter(n => n && n.enabled !== false)
      .map(n => ({
        operator: n.operator,
        threshold: n.threshold,
        thresholdType: n.thresholdType ?? 'Actual',
      }))
      .sort(
        (a, b) =>
          a.threshold - b.threshold ||
          a.thresholdType.localeCompare(b.thresholdType, 'en'),
      ),
  };
}

/**
 * Reads a subscription's budgets with `@azure/arm-consumption` (`budgets.list` at subscription scope, following
 * `nextLink`), with the portal's app credential in the subscription's tenant. Reading needs
 * `Microsoft.Consumption/budgets/read`, which Reader holds: Azure answers 403 once the role is gone.
 */
export function createAzureBudgetReader(
  options: AzureBudgetReaderOptions,
): AzureBudgetReader {
  const { connection, minRemainingReads, metrics } = options;
  return {
    async readBudgets({ tenantId, subscriptionId }) {
      const client = new ConsumptionManagementClient(
        connection.appCredential(tenantId),
        subscriptionId,
        connection.armClientOptions({ tenantId, metrics, minRemainingReads }),
      );
      const budgets = new Map<string, AzureBudgetRead>();
      // Without a leading slash: the SDK puts the scope after one of its own.
      for await (const budget of client.budgets.list(
        `subscriptions/${subscriptionId}`,
      )) {
        const read = azureBudgetOf(budget, subscriptionId);
        if (read) budgets.set(read.id.toLowerCase(), read);
      }
      return [...budgets.values()];
    },
  };
}
