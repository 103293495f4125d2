// @ts-check

/**
 * Where each subscription stands in Azure Resource Graph's change feed (`resourcechanges`), so that a sync can read
 * only what changed since: the cursor (Azure's time, from its `Date` header, never the backend's clock), and when and
 * with which settings the subscription was last listed in full (a reconcile is due after a while, and whenever the
 * settings that decide what is stored changed).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('resource_change_cursors', table => {
    table.comment(
      'Per subscription: how far the Resource Graph change feed has been applied, and its last full listing',
    );
    table
      .string('subscription_id', 36)
      .primary()
      .notNullable()
      .comment('Lower case');
    table
      .string('change_cursor', 32)
      .notNullable()
      .comment(
        'ISO 8601, Azure time: every change after it is still to be applied (changes at or before it were)',
      );
    table
      .string('full_listing_at', 32)
      .notNullable()
      .comment('ISO 8601, Azure time: when the last full listing began');
    table
      .string('full_listing_settings', 256)
      .notNullable()
      .comment(
        'The sync mode and type filters of the last full listing: a change of either needs a full listing',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('resource_change_cursors');
};
