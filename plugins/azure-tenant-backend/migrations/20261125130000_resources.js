// @ts-check

/**
 * What the resource sync keeps: resources and resource groups as of each subscription's last good sync, the
 * tombstones of resources that went away, and the revision counter that orders every change for the catalog feed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('resources', table => {
    table.comment(
      'Azure resources as of the last good sync of their subscription',
    );
    table
      .string('resource_key', 1024)
      .primary()
      .notNullable()
      .comment('The resource id in lower case: Azure ids are case-insensitive');
    table.text('resource_id').notNullable().comment("Azure's casing");
    table.string('subscription_id', 36).notNullable();
    table.string('tenant_id', 36).notNullable();
    table.string('resource_group').notNullable();
    table.string('name', 512).notNullable();
    table.string('type', 256).notNullable();
    table.string('location', 64).nullable();
    table.string('kind', 128).nullable();
    table
      .text('tags')
      .nullable()
      .comment('JSON; null under the sync modes no-tags and none');
    table
      .text('portal_tags')
      .nullable()
      .comment('JSON; tags edited in the portal under read-tags');
    table.string('created_time', 32).nullable();
    table.string('changed_time', 32).nullable();
    table.string('content_hash', 64).notNullable();
    table.bigInteger('revision').notNullable();
    table.string('synced_at', 32).notNullable();
    table.index(['subscription_id'], 'resources_subscription_id_idx');
    table.index(['revision'], 'resources_revision_idx');
  });

  await knex.schema.createTable('resource_tombstones', table => {
    table.comment('Resources that went away, for the catalog feed');
    table.string('resource_key', 1024).primary().notNullable();
    table.text('resource_id').notNullable();
    table.string('subscription_id', 36).notNullable();
    table.bigInteger('revision').notNullable();
    table.index(['revision'], 'resource_tombstones_revision_idx');
  });

  await knex.schema.createTable('resource_groups', table => {
    table.comment(
      'Resource groups as of the last good sync of their subscription',
    );
    table.string('subscription_id', 36).notNullable();
    table.string('name').notNullable();
    table.string('location', 64).nullable();
    table.text('tags').nullable();
    table.primary(['subscription_id', 'name']);
  });

  await knex.schema.createTable('sync_counters', table => {
    table.comment(
      'Counters updated under a row lock, so that concurrent syncs never share a revision',
    );
    table.string('name', 32).primary().notNullable();
    table.bigInteger('value').notNullable();
  });
  await knex('sync_counters').insert({ name: 'revision', value: 0 });

  await knex.schema.alterTable('subscriptions', table => {
    table.integer('resource_count').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('subscriptions', table => {
    table.dropColumn('resource_count');
  });
  await knex.schema.dropTable('sync_counters');
  await knex.schema.dropTable('resource_groups');
  await knex.schema.dropTable('resource_tombstones');
  await knex.schema.dropTable('resources');
};
