// @ts-check

/**
 * What the savings sync reads from Azure for each subscription: Azure Advisor's cost recommendations (from Resource
 * Graph's `advisorresources`) and the budgets defined in Azure (`Microsoft.Consumption/budgets`), each replaced as a
 * whole by every successful read, and where that read stands. Times are ISO 8601 strings, as elsewhere in the schema.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('advisor_recommendations', table => {
    // No apostrophes in comments: knex writes PostgreSQL's table comments without escaping them.
    table.comment(
      'Cost recommendations of Azure Advisor for each subscription, as last read from Resource Graph',
    );
    table
      .string('id', 1200)
      .primary()
      .notNullable()
      .comment('The recommendation id of Advisor (a resource id), lower case');
    table.string('subscription_id', 36).notNullable();
    table
      .string('resource_key', 1024)
      .notNullable()
      .comment(
        'The resource the recommendation is about, its id in lower case',
      );
    table.text('resource_id').notNullable().comment('As Advisor wrote it');
    table.string('impact', 16).notNullable().comment('High, Medium or Low');
    table.text('problem').notNullable();
    table.text('solution').notNullable();
    table
      .double('monthly_savings')
      .nullable()
      .comment('Estimated saving per month; null when Advisor gives none');
    table.string('currency', 3).nullable();
    table
      .string('last_updated', 32)
      .notNullable()
      .comment('When Advisor last updated it');
    table.string('read_at', 32).notNullable();
    table.index(['resource_key'], 'advisor_recommendations_resource_idx');
    table.index(['subscription_id'], 'advisor_recommendations_sub_idx');
  });

  await knex.schema.createTable('azure_budgets', table => {
    table.comment(
      'Budgets defined in Azure (Microsoft.Consumption/budgets), read-only in the portal, as last read',
    );
    table
      .string('id', 1024)
      .primary()
      .notNullable()
      .comment('The resource id of the budget in Azure, lower case');
    table.string('subscription_id', 36).notNullable();
    table
      .string('resource_group', 90)
      .nullable()
      .comment('For a budget defined on a resource group');
    table.string('name', 256).notNullable();
    table
      .text('data')
      .notNullable()
      .comment(
        'JSON: the budget as the API returns it (AzureBudget), without readAt',
      );
    table.string('read_at', 32).notNullable();
    table.index(['subscription_id'], 'azure_budgets_sub_idx');
  });

  await knex.schema.createTable('savings_sync_state', table => {
    table.comment(
      'The last read of Advisor recommendations and Azure budgets of each subscription',
    );
    table.string('subscription_id', 36).primary().notNullable();
    table
      .string('last_read_at', 32)
      .nullable()
      .comment('When both were last read successfully');
    table
      .string('last_attempt_at', 32)
      .nullable()
      .comment('When a read was last tried');
    table.string('last_status', 16).nullable().comment('succeeded or failed');
    table
      .text('last_error')
      .nullable()
      .comment('Why the last read failed, in words; never the raw error');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('savings_sync_state');
  await knex.schema.dropTable('azure_budgets');
  await knex.schema.dropTable('advisor_recommendations');
};
