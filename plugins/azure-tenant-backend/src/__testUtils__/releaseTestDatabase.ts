import knexFactory, { Knex } from 'knex';

/**
 * Closes a test's database and, on PostgreSQL, drops it at once. TestDatabases would drop every database of a file
 * in one `afterAll` with a 60 s limit; each drop waits for a checkpoint, and on a loaded 2-core machine a suite that
 * makes one database per test (dozens) went past that limit. One drop per test spreads the wait over the tests.
 */
export async function releaseTestDatabase(
  knex: Knex | undefined,
): Promise<void> {
  if (!knex) return;
  const { client, connection } = knex.client.config as {
    client: string;
    connection: Knex.PgConnectionConfig;
  };
  await knex.destroy();
  if (client !== 'pg' || !connection?.database) return;
  const admin = knexFactory({
    client: 'pg',
    connection: { ...connection, database: 'postgres' },
    pool: { min: 0, max: 1 },
  });
  try {
    await admin.raw('DROP DATABASE IF EXISTS ??', [connection.database]);
  } finally {
    await admin.destroy();
  }
}
