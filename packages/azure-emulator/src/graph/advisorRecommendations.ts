import { ArmCall } from '../arm/ArmCall';
import { CostModel } from '../cost/CostModel';
import { ArmError } from '../errors/ArmError';
import { EmulatorResponse, jsonResponse } from '../http/EmulatorHttp';
import { SubscriptionState } from '../model/EmulatorState';
import { ResourceRecord } from '../model/ResourceRecord';
import { deterministicGuid, hashString } from '../model/seededRandom';
import { invalidQuery } from './resourceGraphRequest';

/*
 * Azure Advisor cost recommendations, as Resource Graph's `advisorresources` table holds them (Microsoft Learn,
 * "Query Advisor data with Resource Graph": https://learn.microsoft.com/azure/advisor/advisor-azure-resource-graph,
 * and Advisor's Resource Graph samples, which read `properties.category`, `properties.resourceMetadata.resourceId`,
 * `properties.shortDescription.solution`, `properties.extendedProperties.savingsAmount` and `…savingsCurrency`).
 * `properties` follows `RecommendationProperties` of
 * specification/advisor/resource-manager/Microsoft.Advisor/stable/2020-01-01/examples/ListRecommendations.json.
 */

const DAY_MS = 86_400_000;

/** Advisor's "Right-size or shutdown underutilized virtual machines" (LowUsageVmV2). */
const LOW_USAGE_VM_TYPE_ID = 'e10b1381-5f0a-47ff-8c7b-37bd13d7c974';
const LOW_USAGE_VM_TEXT =
  'Right-size or shutdown underutilized virtual machines';
/** Advisor's text for unattached managed disks. Its type GUID is not published, so the emulator makes its own. */
const UNATTACHED_DISK_TEXT =
  'You have disks that are not attached to a VM . Please evaluate if you still need the disk.';
const UNATTACHED_DISK_TYPE_ID = deterministicGuid(
  'advisor-recommendation-type',
  'unattached-disk',
);

const VM_SIZES = [
  'Standard_D4s_v5',
  'Standard_D8s_v5',
  'Standard_E4s_v5',
  'Standard_D16s_v5',
];

/** The next size down in the same family (`Standard_D8s_v5` → `Standard_D4s_v5`). */
function smallerSize(size: string): string {
  return size.replace(/\d+/, n => String(Math.max(1, Number(n) / 2)));
}

/**
 * Advisor's cost recommendations for a subscription, generated deterministically: about a third of its virtual
 * machines are underused (half of them to resize, half to shut down) and about a quarter of its managed disks are
 * unattached. Savings are a month of the resource's modelled cost (half of it for a resize), in the subscription's
 * currency, so they follow the cost model and its scenarios.
 */
export function advisorRecommendationRows(
  model: CostModel,
  subscription: SubscriptionState,
): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  const lastUpdated = new Date(model.today * DAY_MS).toISOString();
  const currency = subscription.currency;
  const cents = (value: number) => Math.round(value * 100) / 100;
  // Annual savings are twelve times the monthly figure as shown, so the two always agree.
  const savingsOf = (monthlySavings: number) => ({
    savingsAmount: String(cents(monthlySavings)),
    annualSavingsAmount: String(cents(cents(monthlySavings) * 12)),
  });
  for (const resource of subscription.resources.entries()) {
    const type = resource.type.toLowerCase();
    const key = hashString(resource.id.toLowerCase());
    const monthly =
      30 * model.modelledCost(subscription, resource, model.today, false);
    if (type === 'microsoft.compute/virtualmachines' && key % 3 === 0) {
      const currentSku = VM_SIZES[(key >>> 4) % VM_SIZES.length];
      const shutdown = (key >>> 8) % 2 === 0;
      const savings = shutdown ? monthly : monthly / 2;
      rows.push(
        recommendationRow(subscription, resource, {
          typeId: LOW_USAGE_VM_TYPE_ID,
          impact: 'High',
          text: LOW_USAGE_VM_TEXT,
          singular: 'Virtual machine',
          plural: 'Virtual machines',
          lastUpdated,
          // Advisor keeps extended properties as strings (hence `todouble(…savingsAmount)` in Learn's samples).
          extendedProperties: {
            recommendationType: shutdown ? 'Shutdown' : 'SkuChange',
            currentSku,
            targetSku: shutdown ? 'Shutdown' : smallerSize(currentSku),
            ...savingsOf(savings),
            savingsCurrency: currency,
            regionId: resource.location.toLowerCase(),
            subscriptionId: subscription.subscriptionId,
            roleName: resource.name,
            MaxCpuP95: String(2 + ((key >>> 12) % 9)),
            lookbackPeriod: '7',
          },
        }),
      );
    } else if (type === 'microsoft.compute/disks' && key % 4 === 1) {
      rows.push(
        recommendationRow(subscription, resource, {
          typeId: UNATTACHED_DISK_TYPE_ID,
          impact: 'Medium',
          text: UNATTACHED_DISK_TEXT,
          singular: 'Disk',
          plural: 'Disks',
          lastUpdated,
          extendedProperties: {
            ...savingsOf(monthly),
            savingsCurrency: currency,
            regionId: resource.location.toLowerCase(),
            subscriptionId: subscription.subscriptionId,
          },
        }),
      );
    }
  }
  return rows;
}

function recommendationRow(
  subscription: SubscriptionState,
  resource: ResourceRecord,
  recommendation: {
    typeId: string;
    impact: string;
    text: string;
    singular: string;
    plural: string;
    lastUpdated: string;
    extendedProperties: Record<string, string>;
  },
): Record<string, unknown> {
  const name = deterministicGuid(
    'advisor-recommendation',
    resource.id.toLowerCase(),
    recommendation.typeId,
  );
  return {
    id: `${resource.id}/providers/Microsoft.Advisor/recommendations/${name}`,
    name,
    type: 'microsoft.advisor/recommendations',
    tenantId: subscription.tenantId,
    kind: '',
    location: '',
    resourceGroup: resource.resourceGroup.toLowerCase(),
    subscriptionId: subscription.subscriptionId,
    managedBy: '',
    sku: null,
    plan: null,
    properties: {
      category: 'Cost',
      impact: recommendation.impact,
      impactedField: resource.type,
      impactedValue: resource.name,
      lastUpdated: recommendation.lastUpdated,
      recommendationTypeId: recommendation.typeId,
      shortDescription: {
        problem: recommendation.text,
        solution: recommendation.text,
      },
      extendedProperties: recommendation.extendedProperties,
      resourceMetadata: {
        resourceId: resource.id,
        source: resource.id,
        singular: recommendation.singular,
        plural: recommendation.plural,
      },
    },
    tags: null,
    identity: null,
    zones: null,
    extendedLocation: null,
  };
}

/** A `where` comparison of the KQL subset: a (dotted) column, `==` / `=~` / `!=` / `!~`, a string literal. */
interface Comparison {
  path: string[];
  operator: '==' | '=~' | '!=' | '!~';
  value: string;
}

/**
 * Parses the KQL the product sends to `advisorresources`: the table, then `| where` clauses of string comparisons
 * joined by `and`, e.g. `advisorresources | where type == 'microsoft.advisor/recommendations' | where
 * properties.category == 'Cost'`. Anything else is refused as Resource Graph refuses a query it cannot run.
 */
export function parseAdvisorQuery(query: string): Comparison[] {
  const [table, ...stages] = query.split('|').map(part => part.trim());
  if (!/^advisorresources$/i.test(table)) {
    throw invalidQuery(query, "The table must be 'advisorresources'.");
  }
  const comparisons: Comparison[] = [];
  for (const stage of stages) {
    const where = /^where\s+(.+)$/is.exec(stage);
    if (!where) {
      throw invalidQuery(
        query,
        "The emulator supports only 'where' stages on 'advisorresources'.",
      );
    }
    for (const term of where[1].split(/\s+and\s+/i)) {
      const match =
        /^([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*(==|=~|!=|!~)\s*(?:'([^']*)'|"([^"]*)")$/.exec(
          term.trim(),
        );
      if (!match) {
        throw invalidQuery(
          query,
          `The emulator supports only string comparisons (==, =~, !=, !~) in 'where', not '${term.trim()}'.`,
        );
      }
      comparisons.push({
        path: match[1].split('.'),
        operator: match[2] as Comparison['operator'],
        value: match[3] ?? match[4],
      });
    }
  }
  return comparisons;
}

function matches(
  row: Record<string, unknown>,
  comparison: Comparison,
): boolean {
  let value: unknown = row;
  for (const key of comparison.path) {
    value =
      value && typeof value === 'object'
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  const text = typeof value === 'string' ? value : '';
  switch (comparison.operator) {
    case '==':
      return text === comparison.value;
    case '=~':
      return text.toLowerCase() === comparison.value.toLowerCase();
    case '!=':
      return text !== comparison.value;
    default:
      return text.toLowerCase() !== comparison.value.toLowerCase();
  }
}

/**
 * `POST /providers/Microsoft.ResourceGraph/resources` for `advisorresources`: the Advisor rows of the given
 * (readable) subscriptions that pass the `where` clauses, paged as the `resources` table is (`$top`, `$skip`,
 * `$skipToken`).
 */
export function queryAdvisorResources(
  call: ArmCall,
  body: any,
  query: string,
  subscriptions: SubscriptionState[],
): EmulatorResponse {
  const comparisons = parseAdvisorQuery(query);
  const rows = subscriptions
    .flatMap(s => advisorRecommendationRows(call.context.costModel, s))
    .filter(row => comparisons.every(c => matches(row, c)));
  const options = body?.options ?? {};
  const top = Math.min(
    Number(options.$top ?? call.context.settings.resourceGraphPageSize),
    1000,
  );
  let offset = Number(options.$skip ?? 0);
  if (options.$skipToken) {
    const decoded = Buffer.from(String(options.$skipToken), 'base64')
      .toString('utf8')
      .match(/^advisor:(\d+)$/);
    if (!decoded) {
      throw new ArmError(400, 'BadRequest', 'The $skipToken is invalid.');
    }
    offset = Number(decoded[1]);
  }
  const data = rows.slice(offset, offset + top);
  const next = offset + top < rows.length ? offset + top : undefined;
  return jsonResponse(200, {
    totalRecords: rows.length,
    count: data.length,
    data,
    facets: [],
    resultTruncated: 'false',
    ...(next !== undefined
      ? { $skipToken: Buffer.from(`advisor:${next}`).toString('base64') }
      : {}),
  });
}
