// @ts-check

/**
 * Budget evaluation and spend alerts:
 *
 * - `budget_evaluations`: how each budget stood in its current period when it was last evaluated (one row per budget,
 *   replaced by every evaluation);
 * - `spend_alerts`: every notification about spend the portal sent, or recorded without sending while the budget was
 *   muted. `dedupe_key` is unique, so that a threshold of a period (or an anomaly of a day) is alerted once, also when
 *   several replicas evaluate at the same time: the insert that loses the race inserts nothing.
 *
 * Budget ids are not foreign keys: an alert outlives its budget, for the record.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('budget_evaluations', table => {
    table.comment(
      'How each budget stood in its current period at its last evaluation',
    );
    table.string('budget_id', 255).primary().notNullable();
    table.string('period_start', 10).notNullable().comment('YYYY-MM-DD');
    table
      .string('period_end', 10)
      .notNullable()
      .comment('YYYY-MM-DD, inclusive');
    table.double('actual').notNullable().comment("In the budget's currency");
    table
      .double('forecast')
      .notNullable()
      .comment("For the whole period, in the budget's currency");
    table
      .double('actual_percent')
      .notNullable()
      .comment("actual / the budget's amount, as it was when evaluated");
    table.double('forecast_percent').notNullable();
    table
      .string('spend_through', 10)
      .nullable()
      .comment('The last day whose spend is known');
    table
      .string('state', 32)
      .notNullable()
      .comment('on-track, at-risk, over, no-data or currency-mismatch');
    table
      .text('conversions')
      .notNullable()
      .comment('JSON array of sentences: how other currencies were converted');
    table
      .text('problem')
      .nullable()
      .comment('Why the budget could not be evaluated');
    table.string('evaluated_at', 32).notNullable();
  });

  await knex.schema.createTable('spend_alerts', table => {
    table.comment(
      'Notifications about spend: budget thresholds crossed and anomalies',
    );
    table.string('id', 36).primary().notNullable().comment('A UUID');
    table
      .string('dedupe_key', 512)
      .notNullable()
      .unique({ indexName: 'spend_alerts_dedupe_key_unique' })
      .comment(
        'threshold:{budgetId}:{periodStart}:{type}:{percent} or anomaly:{subscriptionId}:{day}',
      );
    table.string('kind', 16).notNullable().comment('threshold or anomaly');
    table.string('budget_id', 255).nullable();
    table
      .string('budget_name', 200)
      .nullable()
      .comment('As it was when alerted');
    table.string('threshold_type', 16).nullable().comment('actual or forecast');
    table.double('threshold_percent').nullable();
    table
      .string('period_start', 10)
      .nullable()
      .comment('The budget period of a threshold');
    table.string('day', 10).nullable().comment('The day of an anomaly');
    table
      .string('scope_ref', 512)
      .notNullable()
      .comment('What the alert is about');
    table
      .text('recipients')
      .notNullable()
      .comment('JSON array of the entity refs notified');
    table.text('title').notNullable();
    table.text('description').notNullable();
    table.text('link').notNullable();
    table
      .string('delivery', 16)
      .notNullable()
      .comment('pending, sent, failed or muted');
    table
      .integer('attempts')
      .notNullable()
      .defaultTo(0)
      .comment('Sends tried; failed ones are retried up to a limit');
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.index(['budget_id'], 'spend_alerts_budget_idx');
    table.index(['created_at'], 'spend_alerts_created_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('spend_alerts');
  await knex.schema.dropTable('budget_evaluations');
};
