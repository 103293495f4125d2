/*
 * The databases of the test backends: Backstage's real database manager on an in-memory SQLite per plugin, or on
 * PostgreSQL databases under a prefix unique to each backend (dropped after the file), and what tests read from them.
 */
import { JsonObject } from '@backstage/types';
import knexFactory, { Knex } from 'knex';

/** The PostgreSQL server of the database tests, when there is one. */
export const POSTGRES_URL =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const createdPrefixes: string[] = [];

/**
 * `backend.database` for a test backend on Backstage's real database manager: its own in-memory SQLite per plugin,
 * or PostgreSQL databases under a prefix unique to this call, dropped by {@link dropTestDatabases}.
 */
export function testDatabaseConfig(
  databaseId: string,
  name = 'azure_test',
): JsonObject {
  if (databaseId === 'SQLITE_3') {
    return { client: 'better-sqlite3', connection: ':memory:' };
  }
  if (databaseId !== 'POSTGRES_15' || !POSTGRES_URL) {
    throw new Error(`No connection for ${databaseId}`);
  }
  const prefix = `${name}_${process.pid}_${Date.now()}_${
    createdPrefixes.length
  }_`.toLowerCase();
  createdPrefixes.push(prefix);
  return { client: 'pg', connection: POSTGRES_URL, prefix };
}

/** Drops every PostgreSQL database made under the prefixes of {@link testDatabaseConfig}; call it in `afterAll`. */
export async function dropTestDatabases(): Promise<void> {
  if (!POSTGRES_URL || createdPrefixes.length === 0) return;
  const admin = knexFactory({ client: 'pg', connection: POSTGRES_URL });
  try {
    const { rows } = await admin.raw('select datname from pg_database');
    for (const { datname } of rows) {
      if (createdPrefixes.some(prefix => datname.startsWith(prefix))) {
        await admin.raw('drop database if exists ?? with (force)', [datname]);
      }
    }
  } finally {
    await admin.destroy();
  }
}

/** The names of the tables in a database (without knex's own migration bookkeeping). */
export async function listTables(knex: Knex): Promise<string[]> {
  const client = String(knex.client.config.client);
  let names: string[];
  if (client.includes('sqlite')) {
    const rows = await knex('sqlite_master')
      .where({ type: 'table' })
      .whereNot('name', 'like', 'sqlite_%')
      .select('name');
    names = rows.map((r: { name: string }) => r.name);
  } else {
    const rows = await knex('information_schema.tables')
      .where({ table_schema: 'public', table_type: 'BASE TABLE' })
      .select('table_name');
    names = rows.map((r: { table_name: string }) => r.table_name);
  }
  return names.sort();
}

/** Every row of every table of a database, all columns, by table. */
export async function dumpTables(
  knex: Knex,
): Promise<Record<string, Array<Record<string, unknown>>>> {
  const dump: Record<string, Array<Record<string, unknown>>> = {};
  for (const table of await listTables(knex)) {
    dump[table] = await knex(table).select();
  }
  return dump;
}

/** A stored resource, reduced to what a sync or a tag write may change. */
export interface StoredResource {
  key: string;
  subscriptionId: string;
  tags: Record<string, string> | null;
  contentHash: string;
}

/** Every stored resource of the plugin, by key. */
export async function storedResources(
  knex: Knex,
  subscriptionId?: string,
): Promise<Map<string, StoredResource>> {
  const query = knex('resources').select(
    'resource_key',
    'subscription_id',
    'tags',
    'content_hash',
  );
  if (subscriptionId) query.where({ subscription_id: subscriptionId });
  const rows = await query;
  return new Map(
    rows.map((r: any) => [
      r.resource_key,
      {
        key: r.resource_key,
        subscriptionId: r.subscription_id,
        tags: r.tags ? JSON.parse(r.tags) : null,
        contentHash: r.content_hash,
      },
    ]),
  );
}
