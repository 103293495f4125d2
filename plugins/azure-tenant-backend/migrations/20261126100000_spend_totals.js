// @ts-check

/**
 * Daily spend totals, so that `GET /spend` of a subscription sums a few thousand rows instead of every resource's
 * daily rows:
 *
 * - `spend_totals`: per subscription, day, currency and dimension (service, resourceGroup, location) value, written
 *   with the spend rows in the transaction that stores a day range (restated days replace their totals);
 * - `spend_tag_totals`: per subscription, tag key, day, currency and tag value (`''` for resources without the tag),
 *   built for a tag key when it is first grouped by and rebuilt when the subscription's resources moved on (tags
 *   change outside the spend sync), from `spend_tag_resources`, the tag value of each resource;
 * - `spend_tag_state`: what each tag key's totals were built from.
 *
 * The totals of spend stored before this migration are computed here. Two indexes let the revision check of tag
 * totals read one index entry instead of a subscription's resources.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('spend_totals', table => {
    table.comment(
      'Daily spend per subscription, currency and service, resource group or location: sums of spend_daily',
    );
    table.string('subscription_id', 36).notNullable();
    table
      .string('dimension', 16)
      .notNullable()
      .comment('service, resourceGroup or location');
    table.string('usage_date', 10).notNullable().comment('YYYY-MM-DD');
    table.string('currency', 3).notNullable();
    table
      .string('group_key', 256)
      .notNullable()
      .comment("The service, resource group or location; '' when none");
    table.double('amount').notNullable();
    table.primary(
      ['subscription_id', 'dimension', 'usage_date', 'currency', 'group_key'],
      'spend_totals_pk',
    );
  });

  await knex.schema.createTable('spend_tag_state', table => {
    table.comment(
      'What the tag totals of a subscription and tag key were built from',
    );
    table.string('subscription_id', 36).notNullable();
    table
      .string('tag_key', 512)
      .notNullable()
      .comment('Lower case: tag grouping ignores the case of tag names');
    table
      .bigInteger('counter_revision')
      .notNullable()
      .comment("sync_counters' revision when last found current");
    table
      .bigInteger('resource_revision')
      .notNullable()
      .comment(
        "The highest revision of the subscription's resources and tombstones",
      );
    table.integer('resource_count').notNullable();
    table.string('built_at', 32).notNullable();
    table.primary(['subscription_id', 'tag_key'], 'spend_tag_state_pk');
  });

  await knex.schema.createTable('spend_tag_resources', table => {
    table.comment(
      'The value of a tag key on each resource of a subscription that has it, as of spend_tag_state',
    );
    table.string('subscription_id', 36).notNullable();
    table.string('tag_key', 512).notNullable();
    table.string('resource_key', 1024).notNullable();
    table.text('tag_value').notNullable();
    table.primary(
      ['subscription_id', 'tag_key', 'resource_key'],
      'spend_tag_resources_pk',
    );
  });

  await knex.schema.createTable('spend_tag_totals', table => {
    table.comment(
      'Daily spend per subscription, currency and value of a tag key: sums of spend_daily',
    );
    table.string('subscription_id', 36).notNullable();
    table.string('tag_key', 512).notNullable();
    table.string('usage_date', 10).notNullable();
    table.string('currency', 3).notNullable();
    table
      .text('tag_value')
      .notNullable()
      .comment("'' for spend of resources without the tag");
    table.double('amount').notNullable();
    table.index(
      ['subscription_id', 'tag_key', 'usage_date'],
      'spend_tag_totals_day_idx',
    );
  });

  await knex.schema.alterTable('resources', table => {
    table.index(
      ['subscription_id', 'revision'],
      'resources_subscription_revision_idx',
    );
  });
  await knex.schema.alterTable('resource_tombstones', table => {
    table.index(
      ['subscription_id', 'revision'],
      'resource_tombstones_subscription_revision_idx',
    );
  });

  for (const [dimension, column] of [
    ['service', 'service_name'],
    ['resourceGroup', 'resource_group'],
    ['location', 'location'],
  ]) {
    await knex.raw(
      `INSERT INTO spend_totals (subscription_id, dimension, usage_date, currency, group_key, amount)
       SELECT subscription_id, ?, usage_date, currency, ${column}, SUM(amount)
       FROM spend_daily
       GROUP BY subscription_id, usage_date, currency, ${column}`,
      [dimension],
    );
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('resource_tombstones', table => {
    table.dropIndex(
      ['subscription_id', 'revision'],
      'resource_tombstones_subscription_revision_idx',
    );
  });
  await knex.schema.alterTable('resources', table => {
    table.dropIndex(
      ['subscription_id', 'revision'],
      'resources_subscription_revision_idx',
    );
  });
  await knex.schema.dropTable('spend_tag_totals');
  await knex.schema.dropTable('spend_tag_resources');
  await knex.schema.dropTable('spend_tag_state');
  await knex.schema.dropTable('spend_totals');
};
