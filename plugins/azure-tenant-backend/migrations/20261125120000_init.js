// @ts-check

/**
 * The Azure tenant plugin's tables: connected tenants, their subscriptions, and onboardings with one result per
 * subscription and role. Timestamps are ISO 8601 strings in UTC, which sort and compare the same on SQLite and
 * PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tenants', table => {
    table.comment('Microsoft Entra ID tenants connected to the portal');
    table.string('tenant_id', 36).primary().notNullable();
    table.string('display_name').nullable();
    table.string('source', 16).notNullable().comment('onboarding or config');
    table.string('service_principal_id', 36).nullable();
    table.string('connected_by').nullable();
    table.string('connected_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
  });

  await knex.schema.createTable('subscriptions', table => {
    table.comment('Azure subscriptions that the portal syncs');
    table.string('subscription_id', 36).primary().notNullable();
    table
      .string('tenant_id', 36)
      .notNullable()
      .references('tenant_id')
      .inTable('tenants')
      .onDelete('CASCADE');
    table.string('display_name').notNullable();
    table.string('state', 32).nullable();
    table.string('sync_mode', 16).notNullable();
    table.string('source', 16).notNullable();
    table
      .text('granted_roles')
      .notNullable()
      .comment('JSON array of role names');
    table.string('role_status', 16).notNullable();
    table.string('sync_requested_at', 32).nullable();
    table.string('last_sync_status', 16).nullable();
    table.string('last_sync_finished_at', 32).nullable();
    table.text('last_sync_error').nullable();
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.index(['tenant_id'], 'subscriptions_tenant_id_idx');
  });

  await knex.schema.createTable('onboardings', table => {
    table.comment('Runs of the consent and role-assignment flow');
    table.string('id', 36).primary().notNullable();
    table.string('kind', 24).notNullable();
    table.string('status', 16).notNullable();
    table
      .string('state_hash', 64)
      .notNullable()
      .unique()
      .comment('SHA-256 of the OAuth state; the state itself is never stored');
    table.string('started_by').notNullable();
    table.string('tenant_id', 36).nullable();
    table.text('error').nullable();
    table.string('partner_admin_link', 24).nullable();
    table.string('created_at', 32).notNullable();
    table.string('expires_at', 32).notNullable();
    table.string('completed_at', 32).nullable();
  });

  await knex.schema.createTable('onboarding_results', table => {
    table.comment('One result per subscription and role of an onboarding');
    table.increments('id').primary();
    table
      .string('onboarding_id', 36)
      .notNullable()
      .references('id')
      .inTable('onboardings')
      .onDelete('CASCADE');
    table.string('subscription_id', 36).notNullable();
    table.string('subscription_name').notNullable();
    table.string('role_name').notNullable();
    table.string('outcome', 24).notNullable();
    table.text('reason').nullable();
    table.index(['onboarding_id'], 'onboarding_results_onboarding_id_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('onboarding_results');
  await knex.schema.dropTable('onboardings');
  await knex.schema.dropTable('subscriptions');
  await knex.schema.dropTable('tenants');
};
