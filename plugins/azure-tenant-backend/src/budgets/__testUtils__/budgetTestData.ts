import { createHash } from 'node:crypto';
import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  Budget,
  BudgetInput,
} from '@azure-tenant/plugin-azure-tenant-common';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { DatabaseResourceStore } from '../../database/DatabaseResourceStore';
import { TENANT } from '../../spend/__testUtils__/spendTestDatabase';
import { BudgetStore } from '../BudgetStore';

/** The id of a virtual machine of a subscription's resource group. */
export const vmId = (subscription: string, group: string, name: string) =>
  `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/${name}`;

/** A day of December 2026. */
export const dec = (d: number) => `2026-12-${String(d).padStart(2, '0')}`;

/** A catalog entity with the given relations (targets as full refs) and, for an Azure entity, its resource id. */
export function catalogEntity(
  ref: string,
  options: { relations?: Array<[string, string]>; azureId?: string } = {},
): Entity {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: kind[0].toUpperCase() + kind.slice(1),
    metadata: {
      name,
      namespace,
      ...(options.azureId
        ? { annotations: { [ANNOTATION_AZURE_RESOURCE_ID]: options.azureId } }
        : {}),
    },
    spec: {},
    relations: (options.relations ?? []).map(([type, targetRef]) => ({
      type,
      targetRef,
    })),
  };
}

/** Stores resources of a subscription with their tags, through the resource store as the resource sync does. */
export async function storeResources(
  resources: DatabaseResourceStore,
  subscriptionId: string,
  items: Array<{ id: string; tags?: Record<string, string> }>,
) {
  const at = new Date('2026-12-01T00:00:00Z');
  await resources.applySync({
    subscriptionId,
    upserts: items.map(({ id, tags }) => ({
      key: id.toLowerCase(),
      resourceId: id,
      subscriptionId,
      tenantId: TENANT,
      resourceGroup: /resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? '',
      name: id.split('/').pop()!,
      type: 'Microsoft.Compute/virtualMachines',
      tags,
      contentHash: createHash('sha256').update(id).digest('hex'),
    })),
    removedKeys: [],
    purgePortalTags: false,
    resourceCount: items.length,
    startedAt: at,
    finishedAt: at,
  });
}

/** A budget as the budget store would hold it, with the default thresholds unless given. */
export function testBudget(
  id: string,
  input: Partial<BudgetInput> & Pick<BudgetInput, 'scope' | 'amount'>,
  extra: Partial<Budget> = {},
): Budget {
  return {
    id,
    name: input.name ?? `Budget ${id}`,
    scope: input.scope,
    amount: input.amount,
    currency: input.currency ?? 'USD',
    period: input.period ?? { type: 'monthly' },
    thresholds: input.thresholds ?? [
      { type: 'actual', percent: 50 },
      { type: 'actual', percent: 80 },
      { type: 'actual', percent: 100 },
      { type: 'forecast', percent: 100 },
    ],
    owner: input.owner ?? 'group:default/team-a',
    source: 'portal',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    ...extra,
  };
}

/** The budgets of a test, listed as the budget store lists them. */
export function budgetList(budgets: Budget[]): Pick<BudgetStore, 'list'> {
  return { list: async () => budgets.map(b => ({ ...b })) };
}

/** A notification service that keeps what it was asked to send, and refuses while `failing` is set. */
export function recordingNotifications() {
  const sent: NotificationSendOptions[] = [];
  const service = {
    sent,
    failing: false,
    send: async (options: NotificationSendOptions) => {
      if (service.failing) {
        throw new Error('Request failed with 503 Service Unavailable');
      }
      sent.push(options);
    },
  };
  return service;
}
