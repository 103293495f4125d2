import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Knex } from 'knex';
import { DatabaseResourceStore } from '../database/DatabaseResourceStore';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  PAYMENTS,
  PLATFORM,
  prepareSpendDatabase,
} from '../spend/__testUtils__/spendTestDatabase';
import {
  catalogEntity,
  storeResources,
  vmId,
} from './__testUtils__/budgetTestData';
import { BudgetScopeResolver } from './BudgetScopeResolver';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const WEB_VM = vmId(PLATFORM, 'RG-Web', 'vm-web');
const DATA_VM = vmId(PLATFORM, 'rg-data', 'vm-data');
const CHILD_VM = vmId(PLATFORM, 'rg-child', 'vm-child');
const PAYMENTS_VM = vmId(PAYMENTS, 'rg-pay', 'vm-pay');

/**
 * team-a owns the shop system and the Payments subscription; the shop has the checkout component, which depends on
 * the web VM and on a Payments VM (inside the subscription team-a owns already). team-a's child team owns another
 * VM. Components and systems also point back up (partOf, ownedBy), which must not widen anything.
 */
function catalogOfTeams() {
  return catalogServiceMock({
    entities: [
      catalogEntity('group:default/team-a', {
        relations: [
          ['ownerOf', 'system:default/shop'],
          ['ownerOf', 'resource:azure/payments-sub'],
          ['parentOf', 'group:default/team-a-child'],
          ['hasMember', 'user:default/alice'],
        ],
      }),
      catalogEntity('group:default/team-a-child', {
        relations: [
          ['childOf', 'group:default/team-a'],
          ['ownerOf', 'resource:azure/vm-child'],
        ],
      }),
      catalogEntity('user:default/alice', {
        relations: [['ownerOf', 'resource:azure/vm-data']],
      }),
      catalogEntity('system:default/shop', {
        relations: [
          ['ownedBy', 'group:default/team-a'],
          ['hasPart', 'component:default/checkout'],
        ],
      }),
      catalogEntity('component:default/checkout', {
        relations: [
          ['partOf', 'system:default/shop'],
          ['dependsOn', 'resource:azure/vm-web'],
          ['dependsOn', 'resource:azure/vm-pay'],
          ['dependsOn', 'component:default/checkout'],
        ],
      }),
      catalogEntity('resource:azure/payments-sub', {
        azureId: `/subscriptions/${PAYMENTS}`,
        relations: [['dependsOn', 'resource:azure/vm-pay']],
      }),
      catalogEntity('resource:azure/vm-web', {
        azureId: WEB_VM,
        // A resource's entity points at its subscription: following it would count all of Platform.
        relations: [['dependencyOf', 'resource:azure/platform-sub']],
      }),
      catalogEntity('resource:azure/vm-pay', { azureId: PAYMENTS_VM }),
      catalogEntity('resource:azure/vm-child', { azureId: CHILD_VM }),
      catalogEntity('resource:azure/vm-data', { azureId: DATA_VM }),
      catalogEntity('resource:azure/platform-sub', {
        azureId: `/subscriptions/${PLATFORM}`,
      }),
    ],
  });
}

describe.each(databases.eachSupportedId())('BudgetScopeResolver (%s)', id => {
  let knex: Knex;
  let resources: DatabaseResourceStore;

  beforeEach(async () => {
    knex = await databases.init(id);
    await prepareSpendDatabase(knex, [
      { subscriptionId: PLATFORM },
      { subscriptionId: PAYMENTS },
    ]);
    resources = new DatabaseResourceStore(knex);
  });
  afterEach(() => releaseTestDatabase(knex));

  const resolver = (catalog = catalogOfTeams()) =>
    new BudgetScopeResolver({
      catalog,
      auth: mockServices.auth(),
      resources,
    });

  it("rolls a group's budget up through ownerOf, hasPart and dependsOn, counting each cost once", async () => {
    const resolved = await resolver().resolve({
      kind: 'entity',
      entityRef: 'group:default/team-a',
    });
    // The Payments VM is in the Payments subscription, which team-a owns: it is not counted again.
    expect(resolved).toEqual({
      subscriptionIds: [PAYMENTS],
      resourceGroups: [],
      resourceKeys: [WEB_VM.toLowerCase()],
    });
  });

  it("leaves out what a group's child teams and members own", async () => {
    const resolved = await resolver().resolve({
      kind: 'entity',
      entityRef: 'group:default/team-a',
    });
    expect(resolved.resourceKeys).not.toContain(CHILD_VM.toLowerCase());
    expect(resolved.resourceKeys).not.toContain(DATA_VM.toLowerCase());
  });

  it("rolls a user's and a component's budgets up from where they start", async () => {
    const [user, component] = await resolver().resolveAll([
      { kind: 'entity', entityRef: 'user:default/alice' },
      { kind: 'entity', entityRef: 'component:default/checkout' },
    ]);
    expect(user.resourceKeys).toEqual([DATA_VM.toLowerCase()]);
    expect(component.resourceKeys).toEqual(
      [WEB_VM, PAYMENTS_VM].map(k => k.toLowerCase()).sort(),
    );
    expect(component.subscriptionIds).toEqual([]);
  });

  it('takes an Azure entity as what it stands for', async () => {
    const resolved = await resolver().resolve({
      kind: 'entity',
      entityRef: 'resource:azure/payments-sub',
    });
    expect(resolved.subscriptionIds).toEqual([PAYMENTS]);
    expect(resolved.resourceKeys).toEqual([]);
  });

  it('asks the catalog for each level of many budgets in one batch', async () => {
    const catalog = catalogOfTeams();
    const getEntitiesByRefs = jest.spyOn(catalog, 'getEntitiesByRefs');
    await resolver(catalog).resolveAll(
      Array.from({ length: 50 }, () => ({
        kind: 'entity' as const,
        entityRef: 'group:default/team-a',
      })),
    );
    // team-a; its shop and subscription; checkout; its two VMs.
    expect(getEntitiesByRefs).toHaveBeenCalledTimes(4);
  });

  it('stops at the depth limit', async () => {
    const resolved = await new BudgetScopeResolver({
      catalog: catalogOfTeams(),
      auth: mockServices.auth(),
      resources,
      maxDepth: 2,
    }).resolve({ kind: 'entity', entityRef: 'group:default/team-a' });
    // team-a → shop → checkout is two steps: the VMs behind checkout are a third.
    expect(resolved).toEqual({
      subscriptionIds: [PAYMENTS],
      resourceGroups: [],
      resourceKeys: [],
    });
  });

  it('says so when the entity is not in the catalog', async () => {
    const resolved = await resolver().resolve({
      kind: 'entity',
      entityRef: 'group:default/nobody',
    });
    expect(resolved.problem).toBe(
      'group:default/nobody was not found in the catalog',
    );
    expect(resolved.subscriptionIds).toEqual([]);
  });

  it('takes resource groups case-insensitively and drops those inside a subscription of the scope', async () => {
    const resolved = await resolver().resolve({
      kind: 'customGroup',
      name: 'Web and payments',
      subscriptionIds: [PAYMENTS.toUpperCase()],
      resourceGroups: [
        { subscriptionId: PLATFORM, resourceGroup: 'RG-Web' },
        { subscriptionId: PAYMENTS, resourceGroup: 'rg-pay' },
      ],
    });
    expect(resolved).toEqual({
      subscriptionIds: [PAYMENTS],
      resourceGroups: [{ subscriptionId: PLATFORM, resourceGroup: 'rg-web' }],
      resourceKeys: [],
    });
  });

  it("finds a custom group's tagged resources by tag name in any case, leaving out those it covers already", async () => {
    await storeResources(resources, PLATFORM, [
      { id: WEB_VM, tags: { CostCenter: 'shop' } },
      { id: DATA_VM, tags: { costcenter: 'shop' } },
      { id: CHILD_VM, tags: { costCenter: 'other' } },
    ]);
    await storeResources(resources, PAYMENTS, [
      { id: PAYMENTS_VM, tags: { COSTCENTER: 'shop' } },
    ]);
    const [byValue, anyValue] = await resolver().resolveAll([
      {
        kind: 'customGroup',
        name: 'Shop',
        resourceGroups: [{ subscriptionId: PLATFORM, resourceGroup: 'rg-web' }],
        tags: [{ key: 'costcenter', value: 'shop' }],
      },
      {
        kind: 'customGroup',
        name: 'Any cost center',
        tags: [{ key: 'CostCenter' }],
      },
    ]);
    expect(byValue).toEqual({
      subscriptionIds: [],
      resourceGroups: [{ subscriptionId: PLATFORM, resourceGroup: 'rg-web' }],
      resourceKeys: [DATA_VM, PAYMENTS_VM].map(k => k.toLowerCase()).sort(),
    });
    expect(anyValue.resourceKeys).toEqual(
      [WEB_VM, DATA_VM, CHILD_VM, PAYMENTS_VM].map(k => k.toLowerCase()).sort(),
    );
  });
});
