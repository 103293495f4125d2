import { ResourceTagCompliance } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { migrateDatabase } from '../../../database/migrations';
import { DatabaseComplianceStore } from '../../compliance/DatabaseComplianceStore';

/**
 * The real compliance store on a migrated database, holding these results as evaluated at `at`, with that day's
 * figures recorded as the evaluator records them.
 */
export async function seedComplianceStore(
  knex: Knex,
  items: ResourceTagCompliance[],
  at: Date = new Date(),
): Promise<DatabaseComplianceStore> {
  await migrateDatabase(knex);
  const store = new DatabaseComplianceStore(knex, () => at);
  await store.save(
    items.map(item => ({
      key: item.resourceId.toLowerCase(),
      resourceId: item.resourceId,
      subscriptionId: item.subscriptionId,
      resourceGroup: item.resourceGroup,
      type: item.type,
      name: item.name,
      ...(item.ownerRef ? { ownerRef: item.ownerRef } : {}),
      status: item.status,
      violations: item.violations,
    })),
    at,
  );
  await store.recordDay(at);
  return store;
}
