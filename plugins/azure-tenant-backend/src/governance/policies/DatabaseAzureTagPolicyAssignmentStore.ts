import { Knex } from 'knex';
import { AzureTagPolicyAssignment } from '@azure-tenant/plugin-azure-tenant-common';
import { BATCH_SIZE, chunks } from '../../database/batches';
import { AzureTagPolicyAssignmentStore } from './AzureTagPolicyAssignmentStore';
import { AzureTagPolicyRead } from './azureTagPolicyReader';

const TABLE = 'azure_tag_policy_assignments';

type AssignmentRow = {
  subscription_id: string;
  assignment_id: string;
  data: string;
  read_at: string;
};

/**
 * {@link AzureTagPolicyAssignmentStore} on the plugin's database (SQLite or PostgreSQL), the one writer of the table
 * `azure_tag_policy_assignments`, on a schema that `migrateDatabase` has brought up to date.
 */
export class DatabaseAzureTagPolicyAssignmentStore
  implements AzureTagPolicyAssignmentStore
{
  constructor(private readonly db: Knex) {}

  async replaceSubscription(options: {
    subscriptionId: string;
    assignments: AzureTagPolicyRead[];
    at: Date;
  }): Promise<void> {
    const subscriptionId = options.subscriptionId.toLowerCase();
    const readAt = options.at.toISOString();
    // An assignment of a management group is listed by each of its subscriptions: one row per subscription.
    const rows = new Map<string, AssignmentRow>();
    for (const assignment of options.assignments) {
      const key = assignment.id.toLowerCase();
      rows.set(key, {
        subscription_id: subscriptionId,
        assignment_id: key,
        data: JSON.stringify({ ...assignment, subscriptionId }),
        read_at: readAt,
      });
    }
    await this.db.transaction(async tx => {
      await tx(TABLE).where({ subscription_id: subscriptionId }).delete();
      // Four values a row.
      for (const batch of chunks([...rows.values()], BATCH_SIZE / 4)) {
        await tx(TABLE).insert(batch);
      }
    });
  }

  async listAssignments(
    filter: { subscriptionId?: string } = {},
  ): Promise<AzureTagPolicyAssignment[]> {
    const query = this.db<AssignmentRow>(TABLE)
      .select()
      .orderBy(['subscription_id', 'assignment_id']);
    if (filter.subscriptionId) {
      query.where({ subscription_id: filter.subscriptionId.toLowerCase() });
    }
    const rows: AssignmentRow[] = await query;
    return rows.map(row => ({
      ...(JSON.parse(row.data) as AzureTagPolicyRead),
      readAt: row.read_at,
    }));
  }
}
