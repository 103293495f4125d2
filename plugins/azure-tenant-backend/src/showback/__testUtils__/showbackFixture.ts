import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import {
  ANNOTATION_AZURE_OWNER_SOURCE,
  ANNOTATION_AZURE_RESOURCE_ID,
  azureResourceEntityName,
  azureSubscriptionEntityName,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { DatabaseSpendStore } from '../../spend/DatabaseSpendStore';
import {
  DATA_EUROPE,
  PAYMENTS,
  PLATFORM,
  prepareSpendDatabase,
} from '../../spend/__testUtils__/spendTestDatabase';
import { ShowbackOperationsOptions } from '../ShowbackOperations';

export { DATA_EUROPE, PAYMENTS, PLATFORM };

export const PLATFORM_TEAM = 'group:default/platform';
export const DATA_TEAM = 'group:default/data';
export const PAYMENTS_TEAM = 'group:default/payments';
export const JANE = 'user:default/jane.doe';
export const DEFAULT_OWNER = 'group:default/azure-admins';

const rid = (subscription: string, group: string, type: string, name: string) =>
  `/subscriptions/${subscription}/resourceGroups/${group}/providers/${type}/${name}`;

/** The resources of the fixture, in Azure's casing. */
export const RESOURCES = {
  /** Platform's, by owner tag; two services a day. */
  vm1: rid(PLATFORM, 'RG-Web', 'Microsoft.Compute/virtualMachines', 'vm-1'),
  /** Platform's, by owner tag; a fraction of a cent a day. */
  db1: rid(PLATFORM, 'rg-data', 'Microsoft.Sql/servers', 'db-1'),
  /** Data's, by owner tag. */
  web: rid(PLATFORM, 'rg-web', 'Microsoft.Web/sites', 'web'),
  /** Owned by the default owner: unallocated. */
  shared: rid(PLATFORM, 'rg-shared', 'Microsoft.Network/vnets', 'shared'),
  /** No entity (e.g. not in the catalog yet): unallocated. */
  orphan: rid(PLATFORM, 'rg-old', 'Microsoft.Storage/storageAccounts', 'old'),
  /** Jane's, by owner tag. */
  api: rid(PAYMENTS, 'rg-api', 'Microsoft.Web/sites', 'api'),
  /** Platform's, by owner tag, billed in EUR. */
  eu1: rid(DATA_EUROPE, 'rg-eu', 'Microsoft.Compute/virtualMachines', 'eu-1'),
  /** No entity, billed in EUR: unallocated. */
  eu2: rid(DATA_EUROPE, 'rg-eu', 'Microsoft.Compute/virtualMachines', 'eu-2'),
};

/** One line of daily spend of the fixture: the same amount every day of October and November 2026. */
export interface DailySpend {
  subscriptionId: string;
  /** `''` for cost not tied to a resource. */
  resourceId: string;
  service: string;
  amount: number;
  currency?: string;
}

export const DAILY_SPEND: DailySpend[] = [
  {
    subscriptionId: PLATFORM,
    resourceId: RESOURCES.vm1,
    service: 'Virtual Machines',
    amount: 0.1,
  },
  {
    subscriptionId: PLATFORM,
    resourceId: RESOURCES.vm1,
    service: 'Storage',
    amount: 0.2,
  },
  {
    subscriptionId: PLATFORM,
    resourceId: RESOURCES.db1,
    service: 'SQL Database',
    amount: 0.0041,
  },
  {
    subscriptionId: PLATFORM,
    resourceId: RESOURCES.web,
    service: 'App Service',
    amount: 0.7,
  },
  {
    subscriptionId: PLATFORM,
    resourceId: RESOURCES.shared,
    service: 'Virtual Network',
    amount: 1.1,
  },
  {
    subscriptionId: PLATFORM,
    resourceId: RESOURCES.orphan,
    service: 'Storage',
    amount: 0.3,
  },
  // Support plans and reservations: cost that is not tied to a resource.
  {
    subscriptionId: PLATFORM,
    resourceId: '',
    service: 'Support',
    amount: 0.05,
  },
  {
    subscriptionId: PAYMENTS,
    resourceId: '',
    service: 'Support',
    amount: 2.5,
  },
  {
    subscriptionId: PAYMENTS,
    resourceId: RESOURCES.api,
    service: 'App Service',
    amount: 0.33,
  },
  {
    subscriptionId: DATA_EUROPE,
    resourceId: RESOURCES.eu1,
    service: 'Virtual Machines',
    amount: 0.15,
    currency: 'EUR',
  },
  {
    subscriptionId: DATA_EUROPE,
    resourceId: RESOURCES.eu2,
    service: 'Virtual Machines',
    amount: 0.25,
    currency: 'EUR',
  },
];

/** Days of a month of 2026 (`10` → every day of October). */
export function daysOf(month: 10 | 11): string[] {
  const count = month === 10 ? 31 : 30;
  return Array.from(
    { length: count },
    (_, i) => `2026-${month}-${String(i + 1).padStart(2, '0')}`,
  );
}

/** A resource or subscription entity as the catalog module makes it, as far as showback reads it. */
export function azureEntity(
  resourceId: string,
  owner: string,
  ownerSource: 'tag' | 'default' | undefined,
): Entity {
  const subscription = /^\/subscriptions\/([^/]+)$/.exec(resourceId);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: subscription
        ? azureSubscriptionEntityName(subscription[1])
        : azureResourceEntityName(resourceId),
      namespace: 'default',
      annotations: {
        [ANNOTATION_AZURE_RESOURCE_ID]: resourceId,
        ...(ownerSource
          ? { [ANNOTATION_AZURE_OWNER_SOURCE]: ownerSource }
          : {}),
      },
    },
    spec: {
      type: subscription ? 'azure-subscription' : 'azure-resource',
      owner,
    },
  };
}

/** The catalog of the fixture: who owns what, and how the owner was decided. */
export function fixtureEntities(): Entity[] {
  return [
    azureEntity(RESOURCES.vm1, PLATFORM_TEAM, 'tag'),
    // Written as the catalog allows it: a group by default, in the entity's namespace.
    azureEntity(RESOURCES.db1, 'platform', 'tag'),
    azureEntity(RESOURCES.web, DATA_TEAM, 'tag'),
    azureEntity(RESOURCES.shared, DEFAULT_OWNER, 'default'),
    azureEntity(RESOURCES.api, JANE, 'tag'),
    azureEntity(RESOURCES.eu1, PLATFORM_TEAM, 'tag'),
    azureEntity(`/subscriptions/${PLATFORM}`, DEFAULT_OWNER, 'default'),
    azureEntity(`/subscriptions/${PAYMENTS}`, PAYMENTS_TEAM, 'tag'),
    azureEntity(`/subscriptions/${DATA_EUROPE}`, DEFAULT_OWNER, 'default'),
    // Not an Azure entity: never read.
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'checkout', namespace: 'default' },
      spec: { type: 'service', owner: PAYMENTS_TEAM, lifecycle: 'production' },
    },
  ];
}

/** Stores the fixture's spend as the spend sync does, and records each subscription's sync. */
export async function prepareShowbackDatabase(
  knex: Knex,
  spend: DailySpend[] = DAILY_SPEND,
): Promise<DatabaseSpendStore> {
  await prepareSpendDatabase(knex, [
    { subscriptionId: PLATFORM },
    { subscriptionId: PAYMENTS },
    { subscriptionId: DATA_EUROPE, syncMode: 'read-tags' },
  ]);
  const store = new DatabaseSpendStore(knex);
  const days = [...daysOf(10), ...daysOf(11)];
  const at = new Date('2026-12-01T06:00:00Z');
  for (const subscriptionId of [PLATFORM, PAYMENTS, DATA_EUROPE]) {
    await store.replaceDays({
      subscriptionId,
      from: days[0],
      to: days[days.length - 1],
      costs: spend
        .filter(s => s.subscriptionId === subscriptionId)
        .flatMap(s =>
          days.map(date => ({
            date,
            resourceId: s.resourceId,
            serviceName: s.service,
            location: 'westeurope',
            currency: s.currency ?? 'USD',
            amount: s.amount,
          })),
        ),
      at,
    });
    await store.recordSyncSuccess({ subscriptionId, at });
  }
  return store;
}

/** Permissions that deny what `denies` says, and allow the rest. */
export function fakePermissions(
  denies: (request: AuthorizePermissionRequest) => boolean = () => false,
) {
  const authorize = jest.fn(async (requests: AuthorizePermissionRequest[]) =>
    requests.map(request => ({
      result: denies(request) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
    })),
  );
  return { authorize, authorizeConditional: jest.fn() };
}

/** The options of the showback operations over the fixture's database and catalog. */
export function showbackOptions(
  store: DatabaseSpendStore,
  options: {
    entities?: Entity[];
    denies?: (request: AuthorizePermissionRequest) => boolean;
  } = {},
) {
  const catalog = catalogServiceMock({
    entities: options.entities ?? fixtureEntities(),
  });
  const permissions = fakePermissions(options.denies);
  const operations: ShowbackOperationsOptions = {
    store,
    catalog,
    auth: mockServices.auth(),
    permissions,
  };
  return { operations, catalog, permissions };
}
