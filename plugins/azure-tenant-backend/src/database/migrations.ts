import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/**
 * Where the plugin's migrations are, and the table in which knex records those that ran. Tests that step through
 * the migrations one by one use it too.
 */
export const migrationsConfig: Knex.MigratorConfig = {
  directory: resolvePackagePath(
    '@azure-tenant/plugin-azure-tenant-backend',
    'migrations',
  ),
  tableName: 'azure_tenant_knex_migrations',
};

/**
 * Brings the plugin's database to the latest schema. The plugin runs it once at startup, before it makes any store,
 * so that no store depends on another having been made first; tests that build stores call it the same way.
 *
 * @param options.skip - Set from Backstage's `database.migrations.skip` (`backend.database.plugin.<id>.skipMigrations`):
 *   the operator runs the migrations some other way.
 */
export async function migrateDatabase(
  knex: Knex,
  options: { skip?: boolean } = {},
): Promise<void> {
  if (options.skip) return;
  await knex.migrate.latest(migrationsConfig);
}
