// @ts-check

/**
 * Counts the `spend_daily` rows behind each tag total, so that the tag totals can follow a change of a few resources'
 * tags by moving those resources' spend between tag values (a total whose count falls to 0 is deleted), instead of
 * being built again from all of the subscription's spend. The tag totals stored before this migration have no count:
 * they are dropped here, and each is built again by the first query that groups by its tag key.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex('spend_tag_totals').delete();
  await knex('spend_tag_resources').delete();
  await knex('spend_tag_state').delete();
  await knex.schema.alterTable('spend_tag_totals', table => {
    table
      .integer('row_count')
      .notNullable()
      .defaultTo(0)
      .comment('The spend_daily rows summed into amount');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex('spend_tag_totals').delete();
  await knex('spend_tag_resources').delete();
  await knex('spend_tag_state').delete();
  await knex.schema.alterTable('spend_tag_totals', table => {
    table.dropColumn('row_count');
  });
};
