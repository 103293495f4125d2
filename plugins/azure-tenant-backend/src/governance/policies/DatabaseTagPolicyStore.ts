import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  TagPolicy,
  TagPolicyInput,
} from '@azure-tenant/plugin-azure-tenant-common';
import { TagPolicyStore } from '../TagPolicyStore';

const TABLE = 'tag_policies';

/** The prefix of the ids of the policies declared in app-config; the portal's are GUIDs. */
export const DECLARED_TAG_POLICY_ID_PREFIX = 'config:';

type TagPolicyRow = {
  id: string;
  source: TagPolicy['source'];
  name: string;
  definition: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
};

/** A policy's fields but its name, in a fixed order, so that equal definitions are equal texts. */
function definitionOf(input: TagPolicyInput): string {
  const { description, key, aliases, required, values, inherit, scope } = input;
  return JSON.stringify({
    description,
    key,
    aliases,
    required,
    values,
    inherit,
    scope,
  });
}

function fromRow(row: TagPolicyRow): TagPolicy {
  const definition = JSON.parse(row.definition) as Omit<TagPolicyInput, 'name'>;
  return {
    id: row.id,
    source: row.source,
    name: row.name,
    ...definition,
    ...(row.created_by ? { createdBy: row.created_by } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Options for {@link DatabaseTagPolicyStore}. */
export interface DatabaseTagPolicyStoreOptions {
  /** The clock; tests move it. Defaults to the system clock. */
  now?: () => Date;
}

/**
 * {@link TagPolicyStore} on the plugin's database (SQLite or PostgreSQL), the one writer of the table
 * `tag_policies`, on a schema that `migrateDatabase` has brought up to date.
 */
export class DatabaseTagPolicyStore implements TagPolicyStore {
  private readonly now: () => Date;

  constructor(
    private readonly db: Knex,
    options: DatabaseTagPolicyStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async listPolicies(): Promise<TagPolicy[]> {
    const rows: TagPolicyRow[] = await this.db(TABLE).select().orderBy('id');
    return rows.map(fromRow);
  }

  async getPolicy(id: string): Promise<TagPolicy | undefined> {
    const row: TagPolicyRow | undefined = await this.db(TABLE)
      .where({ id })
      .first();
    return row ? fromRow(row) : undefined;
  }

  async createPolicy(
    input: TagPolicyInput,
    createdBy: string,
  ): Promise<TagPolicy> {
    const at = this.now().toISOString();
    const row: TagPolicyRow = {
      id: randomUUID(),
      source: 'portal',
      name: input.name,
      definition: definitionOf(input),
      created_by: createdBy,
      created_at: at,
      updated_at: at,
    };
    await this.db(TABLE).insert(row);
    return fromRow(row);
  }

  async updatePolicy(
    id: string,
    input: TagPolicyInput,
  ): Promise<TagPolicy | undefined> {
    const updated = await this.db(TABLE)
      .where({ id })
      .update({
        name: input.name,
        definition: definitionOf(input),
        updated_at: this.now().toISOString(),
      });
    return updated > 0 ? this.getPolicy(id) : undefined;
  }

  async deletePolicy(id: string): Promise<boolean> {
    return (await this.db(TABLE).where({ id }).delete()) > 0;
  }

  /**
   * Makes the declared policies exactly `policies` (ids `config:<id>`), in one transaction. One whose name and
   * definition did not change keeps its row as it is (its `updatedAt`); one that changed keeps its creation time.
   * Several replicas may run it at the same time at startup: an insert that finds the row already there leaves it.
   * Policies made in the portal are never touched.
   */
  async replaceDeclaredPolicies(
    policies: Array<TagPolicyInput & { id: string }>,
  ): Promise<void> {
    const at = this.now().toISOString();
    await this.db.transaction(async tx => {
      const existing: TagPolicyRow[] = await tx(TABLE)
        .where({ source: 'config' })
        .select();
      const byId = new Map(existing.map(row => [row.id, row]));
      const wanted = policies.map(({ id, ...input }) => ({
        id: `${DECLARED_TAG_POLICY_ID_PREFIX}${id}`,
        name: input.name,
        definition: definitionOf(input),
      }));
      const wantedIds = new Set(wanted.map(p => p.id));
      const gone = existing.filter(row => !wantedIds.has(row.id));
      if (gone.length > 0) {
        await tx(TABLE)
          .where({ source: 'config' })
          .whereIn(
            'id',
            gone.map(row => row.id),
          )
          .delete();
      }
      for (const policy of wanted) {
        const row = byId.get(policy.id);
        if (!row) {
          await tx(TABLE)
            .insert({
              ...policy,
              source: 'config',
              created_by: null,
              created_at: at,
              updated_at: at,
            })
            .onConflict('id')
            .ignore();
        } else if (
          row.name !== policy.name ||
          row.definition !== policy.definition
        ) {
          await tx(TABLE).where({ id: policy.id, source: 'config' }).update({
            name: policy.name,
            definition: policy.definition,
            updated_at: at,
          });
        }
      }
    });
  }
}
