// @ts-check

/**
 * A covering index for the first read of each subscription's sync: the content hashes of its stored resources. With
 * it, a sync that finds nothing changed reads an index, not the resources' rows. It replaces the index on
 * `subscription_id` alone, which it starts with.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('resources', table => {
    table.index(
      ['subscription_id', 'content_hash'],
      'resources_subscription_content_hash_idx',
    );
    table.dropIndex(['subscription_id'], 'resources_subscription_id_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('resources', table => {
    table.index(['subscription_id'], 'resources_subscription_id_idx');
    table.dropIndex(
      ['subscription_id', 'content_hash'],
      'resources_subscription_content_hash_idx',
    );
  });
};
