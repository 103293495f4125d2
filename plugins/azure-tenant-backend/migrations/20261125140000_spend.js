// @ts-check

/**
 * Spend read from Cost Management: one row per subscription, day, resource, service and currency, and the state of
 * each subscription's spend sync. Days are `YYYY-MM-DD` strings, so that ranges and months (`substr(day, 1, 7)`)
 * compare the same on SQLite and PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('spend_daily', table => {
    table.comment(
      'Daily actual cost per resource and service, as Cost Management last reported it',
    );
    table.string('subscription_id', 36).notNullable();
    table.string('usage_date', 10).notNullable().comment('YYYY-MM-DD');
    table
      .string('resource_key', 1024)
      .notNullable()
      .comment(
        "The resource id in lower case; '' for cost not tied to a resource",
      );
    table.string('service_name', 256).notNullable();
    table.string('currency', 3).notNullable();
    table.double('amount').notNullable();
    table
      .text('resource_id')
      .notNullable()
      .comment('As Cost Management wrote it');
    table
      .string('resource_group', 256)
      .notNullable()
      .comment("Lower case, from the resource id; '' when none");
    table
      .string('location', 64)
      .notNullable()
      .comment("Lower case; '' when unknown");
    table.primary(
      [
        'subscription_id',
        'usage_date',
        'resource_key',
        'service_name',
        'currency',
      ],
      'spend_daily_pk',
    );
    table.index(['resource_key', 'usage_date'], 'spend_daily_resource_idx');
  });

  await knex.schema.createTable('spend_sync_state', table => {
    table.comment('The spend sync of each subscription');
    table.string('subscription_id', 36).primary().notNullable();
    table
      .string('backfilled_from', 10)
      .nullable()
      .comment('Every day from here to synced_through has been read');
    table.string('synced_through', 10).nullable();
    table
      .string('last_synced_at', 32)
      .nullable()
      .comment('When spend was last read successfully');
    table.string('last_attempt_at', 32).nullable();
    table.string('last_status', 16).nullable().comment('succeeded or failed');
    table.text('last_error').nullable();
    table.string('forecast_month', 7).nullable().comment('YYYY-MM');
    table.double('forecast_month_end').nullable();
    table.string('forecast_currency', 3).nullable();
    table.string('forecast_through', 10).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('spend_sync_state');
  await knex.schema.dropTable('spend_daily');
};
