import express from 'express';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import { DatabaseAzureTenantStore } from '../../../database/DatabaseAzureTenantStore';
import {
  PLATFORM,
  prepareSpendDatabase,
} from '../../../spend/__testUtils__/spendTestDatabase';
import { recordingAuditor } from '../../../tags/__testUtils__/tagsFixture';
import { createTagPoliciesRouter } from '../createTagPoliciesRouter';
import { DatabaseAzureTagPolicyAssignmentStore } from '../DatabaseAzureTagPolicyAssignmentStore';
import { DatabaseTagPolicyStore } from '../DatabaseTagPolicyStore';
import { TagPolicyOperations } from '../TagPolicyOperations';

export { PLATFORM };

export const ALICE = 'user:default/alice';

/** A valid policy body, with `fields` over it. */
export function ownerPolicy(fields: Record<string, unknown> = {}) {
  return {
    name: 'Owner is a catalog team',
    key: 'owner',
    aliases: ['owned-by'],
    required: true,
    values: { kind: 'catalog-entity', entityKinds: ['group'] },
    ...fields,
  };
}

/**
 * The tag policies API on a test database: the Platform subscription connected, one declared policy
 * (`config:env`), a recording auditor, and `azure-tenant.tag-policy.manage` allowed unless `manage` says `deny`.
 */
export async function createTagPoliciesFixture(
  knex: Knex,
  options: { manage?: 'allow' | 'deny' } = {},
) {
  await prepareSpendDatabase(knex, [{ subscriptionId: PLATFORM }]);
  const store = new DatabaseTagPolicyStore(knex);
  await store.replaceDeclaredPolicies([
    {
      id: 'env',
      name: 'Environment',
      key: 'env',
      values: { kind: 'list', values: ['prod', 'test'] },
    },
  ]);
  const azurePolicies = new DatabaseAzureTagPolicyAssignmentStore(knex);
  const auditor = recordingAuditor();
  const changes: number[] = [];
  const operations = new TagPolicyOperations({
    store,
    azurePolicies,
    subscriptions: new DatabaseAzureTenantStore(knex),
    permissions: mockServices.permissions({
      result:
        options.manage === 'deny'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    }),
    auditor,
    onPoliciesChanged: () => {
      changes.push(changes.length + 1);
    },
  });
  const app = express()
    .use(
      await createTagPoliciesRouter({
        operations,
        httpAuth: mockServices.httpAuth({
          defaultCredentials: mockCredentials.user(ALICE),
        }),
      }),
    )
    .use(mockErrorHandler());
  return {
    app,
    store,
    azurePolicies,
    auditor,
    operations,
    /** How many times the compliance evaluation was told of a change. */
    changes,
  };
}
