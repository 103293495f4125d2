// @ts-check

/**
 * Tag compliance, written only by the compliance evaluator (`DatabaseComplianceStore`):
 *
 * - `tag_compliance`: each stored resource's compliance with the tag policies as of its last evaluation (one row per
 *   resource, removed with it);
 * - `tag_compliance_daily`: the figure of each scope (everything, a subscription, an owner, the unowned resources) as
 *   of the last evaluation of each UTC day, for trends;
 * - `tag_compliance_state`: where the incremental evaluation stands: the feed revision it has seen (`cursor`), the
 *   fingerprint of what every resource's result depends on (`global`), and each subscription's context fingerprint
 *   (`subscription:{id}`: its sync mode, its tags and its resource groups' tags).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tag_compliance', table => {
    table.comment(
      'The compliance of each stored resource with the tag policies at its last evaluation',
    );
    table
      .string('resource_key', 1024)
      .primary()
      .notNullable()
      .comment('The resource id in lower case, as in resources');
    table.text('resource_id').notNullable().comment('As Azure spells it');
    table.string('subscription_id', 36).notNullable();
    table.string('resource_group').notNullable();
    table.string('type', 256).notNullable();
    table.string('name', 512).notNullable();
    table
      .string('owner_ref', 512)
      .nullable()
      .comment(
        'Lower-case entity ref its owner tag names; null when it names nobody',
      );
    table
      .string('status', 16)
      .notNullable()
      .comment('compliant, non-compliant or unknown');
    table
      .text('violations')
      .notNullable()
      .comment('JSON array of TagViolation');
    table.integer('violation_count').notNullable();
    table.string('evaluated_at', 32).notNullable();
    table.index(['subscription_id'], 'tag_compliance_subscription_idx');
    table.index(['owner_ref'], 'tag_compliance_owner_idx');
    table.index(['status'], 'tag_compliance_status_idx');
  });

  await knex.schema.createTable('tag_compliance_daily', table => {
    table.comment(
      'The compliance figure of each scope as of the last evaluation of a UTC day',
    );
    table.string('day', 10).notNullable().comment('YYYY-MM-DD, UTC');
    table
      .string('scope_kind', 16)
      .notNullable()
      .comment('all, subscription, owner or unowned');
    table
      .string('scope_key', 512)
      .notNullable()
      .comment('Subscription id or owner ref; empty for all and unowned');
    table
      .integer('resources')
      .notNullable()
      .comment('compliant + non-compliant');
    table.integer('compliant').notNullable();
    table.integer('non_compliant').notNullable();
    table.integer('unknown').notNullable();
    table
      .text('by_policy')
      .notNullable()
      .comment('JSON object: resources breaking each policy, by policy id');
    table.primary(['day', 'scope_kind', 'scope_key']);
    table.index(['scope_kind', 'scope_key'], 'tag_compliance_daily_scope_idx');
  });

  await knex.schema.createTable('tag_compliance_state', table => {
    table.comment('Where the incremental compliance evaluation stands');
    table
      .string('name', 64)
      .primary()
      .notNullable()
      .comment('cursor, global, evaluated-at or subscription:{id}');
    table.text('value').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tag_compliance_state');
  await knex.schema.dropTable('tag_compliance_daily');
  await knex.schema.dropTable('tag_compliance');
};
