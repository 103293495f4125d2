// @ts-check

/**
 * Budgets: those created in the portal and those declared in app-config (`azureTenant.budgets.declared`), one row
 * each. The scope, the period and the thresholds are JSON texts: they are read whole, never queried by their parts,
 * and their shapes (see `BudgetScope`, `BudgetPeriod`, `BudgetThreshold` in the common package) then need no table
 * of their own. Times are ISO 8601 strings, as in the other tables.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('budgets', table => {
    table.comment(
      'Budgets on a subscription, resource group, catalog entity or custom group, created in the portal or declared in app-config',
    );
    table
      .string('id', 64)
      .primary()
      .notNullable()
      .comment(
        'A GUID for a budget created in the portal; the id given in app-config for a declared one',
      );
    table.string('name', 200).notNullable();
    table
      .string('scope_kind', 16)
      .notNullable()
      .comment('subscription, resourceGroup, entity or customGroup');
    table.text('scope').notNullable().comment('JSON: BudgetScope');
    table
      .string('owner', 255)
      .notNullable()
      .comment('Entity ref of the owning group or user, in lower case');
    table.double('amount').notNullable().comment('Per period, in currency');
    table.string('currency', 3).notNullable().comment('ISO 4217');
    table.text('period').notNullable().comment('JSON: BudgetPeriod');
    table.text('thresholds').notNullable().comment('JSON: BudgetThreshold[]');
    table
      .string('source', 8)
      .notNullable()
      .comment('portal, or config (read-only in the portal)');
    table
      .string('muted_until', 32)
      .nullable()
      .comment('Alerts are recorded, not sent, until then');
    table
      .string('created_by', 255)
      .nullable()
      .comment('Entity ref of the user who created it in the portal');
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.index(['owner'], 'budgets_owner_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('budgets');
};
