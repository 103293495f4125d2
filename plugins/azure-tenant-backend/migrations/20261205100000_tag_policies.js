// @ts-check

/**
 * Tag governance: the portal's tag policies (made in the portal, or declared in app-config under
 * `azureTenant.tagGovernance.policies`), and the Azure Policy assignments about tags read from each subscription,
 * shown beside them read-only. A policy's definition is a JSON text: it is read whole, never queried by its parts.
 * Times are ISO 8601 strings, as in the other tables.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tag_policies', table => {
    // No apostrophes in comments: knex writes PostgreSQL's table comments without escaping them.
    table.comment(
      'Tag policies: the keys resources should carry, their spellings and the values allowed',
    );
    table
      .string('id', 80)
      .primary()
      .notNullable()
      .comment(
        'A GUID for a policy made in the portal; config:<id> for one declared in app-config',
      );
    table
      .string('source', 8)
      .notNullable()
      .comment('portal, or config (read-only in the portal)');
    table.string('name', 200).notNullable();
    table
      .text('definition')
      .notNullable()
      .comment('JSON: the TagPolicyInput, without its name');
    table
      .string('created_by', 255)
      .nullable()
      .comment('Entity ref of the user who made it in the portal');
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
  });

  await knex.schema.createTable('azure_tag_policy_assignments', table => {
    table.comment(
      'Azure Policy assignments that require, add or inherit a tag, read-only, as last read from each subscription',
    );
    table
      .string('subscription_id', 36)
      .notNullable()
      .comment('The subscription it was read from, lower case');
    table
      .string('assignment_id', 1024)
      .notNullable()
      .comment('The ARM id of the assignment, lower case');
    table
      .text('data')
      .notNullable()
      .comment('JSON: AzureTagPolicyAssignment, without readAt');
    table.string('read_at', 32).notNullable();
    table.primary(['subscription_id', 'assignment_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('azure_tag_policy_assignments');
  await knex.schema.dropTable('tag_policies');
};
