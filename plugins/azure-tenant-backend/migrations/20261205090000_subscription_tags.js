// @ts-check

/**
 * A subscription's own Azure tags, as the resource sync last read them with the subscription
 * (`GET /subscriptions/{id}`), for tag policies whose resources inherit a key from their subscription.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('subscriptions', table => {
    table
      .text('tags')
      .nullable()
      .comment(
        'JSON object of the subscription tags as of the last sync; null under the sync modes no-tags and none, or before a sync',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('subscriptions', table => {
    table.dropColumn('tags');
  });
};
