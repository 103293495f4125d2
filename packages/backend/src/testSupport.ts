/*
 * Helpers shared by the backend's whole-backend tests (the chain test and the reliability suite).
 */
import { JsonObject } from '@backstage/types';
import knexFactory from 'knex';

const POSTGRES_URL =
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

/** Retries an assertion until it passes, or throws its last error after `timeoutMs`. */
export async function eventually<T>(
  assertion: () => Promise<T> | T,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(resolve => setTimeout(resolve, intervalMs));
    }
  }
}
