// @ts-check

/**
 * Lost access as a state: for each tenant and subscription, the access problem the portal last saw (consent
 * revoked, a role removed, a subscription disabled, deleted or moved), a sentence about it, since when it has been
 * seen, when it was last checked, how many syncs in a row met it and when a sync tries again (syncs back off while
 * it lasts). Never the raw error. The tenant also keeps the subscriptions its service principal can read that are
 * not registered, and each subscription the time of its last successful resource sync.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  for (const tableName of ['tenants', 'subscriptions']) {
    await knex.schema.alterTable(tableName, table => {
      table
        .string('access_problem', 32)
        .nullable()
        .comment('AzureAccessProblem; null while the portal has access');
      table.text('access_message').nullable();
      table.string('access_since', 32).nullable();
      table.string('access_checked_at', 32).nullable();
      table.string('access_next_attempt_at', 32).nullable();
      table
        .integer('access_attempts')
        .notNullable()
        .defaultTo(0)
        .comment(
          'Syncs in a row that met the problem; the back-off grows with it',
        );
    });
  }
  await knex.schema.alterTable('tenants', table => {
    table
      .text('unregistered_subscriptions')
      .nullable()
      .comment(
        'JSON array of { subscriptionId, displayName } readable by the service principal, not registered',
      );
  });
  await knex.schema.alterTable('subscriptions', table => {
    table.string('last_successful_sync_at', 32).nullable();
  });
  await knex('subscriptions')
    .where({ last_sync_status: 'succeeded' })
    .update({ last_successful_sync_at: knex.ref('last_sync_finished_at') });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('subscriptions', table => {
    table.dropColumn('last_successful_sync_at');
  });
  await knex.schema.alterTable('tenants', table => {
    table.dropColumn('unregistered_subscriptions');
  });
  for (const tableName of ['tenants', 'subscriptions']) {
    await knex.schema.alterTable(tableName, table => {
      table.dropColumn('access_problem');
      table.dropColumn('access_message');
      table.dropColumn('access_since');
      table.dropColumn('access_checked_at');
      table.dropColumn('access_next_attempt_at');
      table.dropColumn('access_attempts');
    });
  }
};
