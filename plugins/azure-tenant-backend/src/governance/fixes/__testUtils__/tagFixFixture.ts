import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AzureEmulator } from '@azure-tenant/azure-emulator';
import {
  AzureResourceRecord,
  effectiveTags,
  ResourceTagCompliance,
  TagPolicy,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { createTagsFixture } from '../../../tags/__testUtils__/tagsFixture';
import { ComplianceQuery, ComplianceReader } from '../../ComplianceStore';
import { compileTagPolicies, evaluateTagPolicies } from '../../tagPolicyRules';
import { ArmTokenBuckets } from '../ArmTokenBuckets';
import { DatabaseTagFixJobStore } from '../DatabaseTagFixJobStore';
import { TagFixOperations } from '../TagFixOperations';
import { TagFixPlanner } from '../TagFixPlanner';
import { TagFixRunner, TagFixRunnerOptions } from '../TagFixRunner';

const at = '2026-12-05T12:00:00.000Z';

/** Two policies a messy tenant breaks: `owner` required and inherited from the resource group, `env` in a list. */
export const FIX_POLICIES: TagPolicy[] = [
  {
    id: 'owner',
    source: 'portal',
    name: 'Every resource has an owner',
    key: 'owner',
    required: true,
    inherit: 'resource-group',
    createdAt: at,
    updatedAt: at,
  },
  {
    id: 'env',
    source: 'portal',
    name: 'Environments are prod, staging or dev',
    key: 'env',
    values: { kind: 'list', values: ['prod', 'staging', 'dev'] },
    createdAt: at,
    updatedAt: at,
  },
];

const statusOf = (tags: unknown, violations: number) => {
  if (!tags) return 'unknown';
  return violations > 0 ? 'non-compliant' : 'compliant';
};

/** Resource groups of the added resources, each with 50. */
const GROUPS = 10;

/**
 * Adds `perSubscription` resources to each of `subscriptionIds` in the emulator, in resource groups tagged
 * `owner=team-b`, with messy tags: every other one spells `Owner` and `env=Prod`, the others have no owner and
 * `env=DEV`. Each breaks both policies. Returns their ids.
 */
export function addMessyResources(
  emulator: AzureEmulator,
  subscriptionIds: string[],
  perSubscription: number,
): string[] {
  const ids: string[] = [];
  for (const subscriptionId of subscriptionIds) {
    for (let i = 0; i < perSubscription; i++) {
      const resourceGroup = `rg-fix-${i % GROUPS}`;
      const resource = emulator.control.addResource({
        subscriptionId,
        resourceGroup,
        type: 'Microsoft.Storage/storageAccounts',
        name: `stfix${String(i).padStart(4, '0')}`,
        tags:
          i % 2 === 0
            ? { Owner: `team-${i % 7}`, env: 'Prod' }
            : { env: 'DEV', app: `app-${i}` },
      });
      ids.push(resource.id!);
    }
    for (let g = 0; g < Math.min(GROUPS, perSubscription); g++) {
      emulator.control.editTags({
        resourceId: `/subscriptions/${subscriptionId}/resourceGroups/rg-fix-${g}`,
        set: { owner: 'team-b' },
      });
    }
  }
  return ids;
}

/**
 * The compliance of the stored resources, evaluated afresh on each read with the rules the evaluator uses
 * (effective tags, the resource group's and subscription's tags), in the order of their keys.
 */
export class EvaluatingComplianceReader
  implements Pick<ComplianceReader, 'listCompliance'>
{
  constructor(
    private readonly fixture: Awaited<ReturnType<typeof createTagsFixture>>,
    private readonly policies: TagPolicy[],
  ) {}

  async evaluateAll(): Promise<ResourceTagCompliance[]> {
    const { resources, store } = this.fixture;
    const compiled = compileTagPolicies(this.policies);
    const all: AzureResourceRecord[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await resources.listResources({ cursor, limit: 1000 });
      all.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const groups = new Map<string, Record<string, string> | undefined>();
    const subscriptions = await store.listSubscriptions();
    for (const s of subscriptions) {
      for (const g of await resources.listResourceGroups(s.subscriptionId)) {
        groups.set(`${s.subscriptionId}|${g.name}`.toLowerCase(), g.tags);
      }
    }
    return all
      .map(record => {
        const subscription = subscriptions.find(
          s =>
            s.subscriptionId.toLowerCase() ===
            record.subscriptionId.toLowerCase(),
        );
        const tags = effectiveTags(record);
        const violations = tags
          ? evaluateTagPolicies(
              {
                resourceId: record.resourceId,
                subscriptionId: record.subscriptionId,
                resourceGroup: record.resourceGroup,
                type: record.type,
                tags,
              },
              compiled,
              {
                resourceGroupTags: groups.get(
                  `${record.subscriptionId}|${record.resourceGroup}`.toLowerCase(),
                ),
                subscriptionTags: subscription?.tags,
                owners: { resolve: () => undefined },
              },
            )
          : [];
        return {
          resourceId: record.resourceId,
          subscriptionId: record.subscriptionId,
          resourceGroup: record.resourceGroup,
          type: record.type,
          name: record.name,
          status: statusOf(tags, violations.length),
          violations,
          evaluatedAt: new Date().toISOString(),
        } as ResourceTagCompliance;
      })
      .sort((a, b) =>
        a.resourceId.toLowerCase() < b.resourceId.toLowerCase() ? -1 : 1,
      );
  }

  async listCompliance(query: ComplianceQuery) {
    const keys = query.resourceKeys && new Set(query.resourceKeys);
    const subscriptions =
      query.subscriptionIds && new Set(query.subscriptionIds);
    const matching = (await this.evaluateAll()).filter(
      c =>
        (!keys || keys.has(c.resourceId.toLowerCase())) &&
        (!subscriptions || subscriptions.has(c.subscriptionId.toLowerCase())) &&
        (!query.status || c.status === query.status) &&
        (!query.policyId ||
          c.violations.some(v => v.policyId === query.policyId)) &&
        (!query.afterKey || c.resourceId.toLowerCase() > query.afterKey),
    );
    return {
      items: matching.slice(0, query.limit),
      hasMore: matching.length > query.limit,
    };
  }
}

/** The tag fix parts on a test database, over the tags fixture (a first sync of the emulator done). */
export async function createTagFixFixture(
  knex: Knex,
  emulator: AzureEmulator,
  options: { policies?: TagPolicy[] } = {},
) {
  const tagsFixture = await createTagsFixture(knex, emulator);
  const policies = options.policies ?? FIX_POLICIES;
  const compliance = new EvaluatingComplianceReader(tagsFixture, policies);
  const jobs = new DatabaseTagFixJobStore(knex);
  /** `edit`: the caller's decision for azure-tenant.tags.update; `manage`: for azure-tenant.tag-policy.manage. */
  const decisions = { edit: true, manage: false };
  const authorize = jest.fn(
    async (requests: Array<{ permission: { name: string } }>) =>
      requests.map(r => ({
        result: (
          r.permission.name === 'azure-tenant.tag-policy.manage'
            ? decisions.manage
            : decisions.edit
        )
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
  );
  const permissions = { authorize, authorizeConditional: jest.fn() } as any;
  const planner = new TagFixPlanner({
    compliance,
    resources: tagsFixture.resources,
    subscriptions: tagsFixture.store,
    policies: { listPolicies: async () => policies },
    owners: async () => ({ resolve: () => undefined }),
    permissions,
  });
  const runner = (overrides: Partial<TagFixRunnerOptions> = {}) =>
    new TagFixRunner({
      store: jobs,
      tagService: tagsFixture.tagService,
      subscriptions: tagsFixture.store,
      buckets: {
        reads: new ArmTokenBuckets({ capacity: 250, refillPerSecond: 25 }),
        writes: new ArmTokenBuckets({ capacity: 200, refillPerSecond: 10 }),
      },
      auditor: tagsFixture.auditor,
      logger: mockServices.logger.mock(),
      ...overrides,
    });
  const operations = new TagFixOperations({
    planner,
    store: jobs,
    permissions,
    auditor: tagsFixture.auditor,
    maxResources: 10_000,
  });
  return {
    ...tagsFixture,
    operations,
    policies,
    compliance,
    jobs,
    decisions,
    permissions,
    authorize,
    planner,
    runner,
  };
}
