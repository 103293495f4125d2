// @ts-check

/**
 * Bulk tag fixes, written only by `DatabaseTagFixJobStore`:
 *
 * - `tag_fix_jobs`: one row per `POST /tag-fixes`: who asked for what, where it stands, its counts (kept by
 *   increments, which concurrent item writes cannot lose; the failures are read from the items), and the lease of the
 *   runner working on it (`lease_owner` until `lease_expires_at`). A runner renews its lease while it works; a
 *   replica that dies leaves a lease that expires, and another runner resumes the job;
 * - `tag_fix_items`: one row per resource the job changes, with the change (`TagChange` with `expected`, as JSON)
 *   and its outcome. An item leaves `pending` once, so no resource is changed twice by a resumed job.
 *
 * Times are ISO 8601 strings, as in the other tables: they sort as they compare.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tag_fix_jobs', table => {
    table.comment('Bulk applications of suggested tag fixes');
    table.string('id', 64).primary().notNullable().comment('A GUID');
    table.text('selection').notNullable().comment('JSON: TagFixSelection');
    table
      .string('created_by', 255)
      .notNullable()
      .comment('Entity ref of the user who started it; each write is theirs');
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table
      .string('state', 16)
      .notNullable()
      .comment('pending, running, done, failed or cancelled');
    table.integer('total').notNullable();
    table.integer('applied').notNullable().defaultTo(0);
    table
      .integer('skipped')
      .notNullable()
      .defaultTo(0)
      .comment('Includes the resources left out at the start (forbidden)');
    table.integer('failed').notNullable().defaultTo(0);
    table
      .boolean('cancel_requested')
      .notNullable()
      .defaultTo(false)
      .comment('The runner stops after the item it is applying');
    table
      .string('lease_owner', 64)
      .nullable()
      .comment('The runner working on it, until lease_expires_at');
    table.string('lease_expires_at', 32).nullable();
    table.index(['state'], 'tag_fix_jobs_state_idx');
    table.index(['created_by'], 'tag_fix_jobs_created_by_idx');
  });

  await knex.schema.createTable('tag_fix_items', table => {
    table.comment('One resource of a bulk tag fix and its outcome');
    table
      .string('job_id', 64)
      .notNullable()
      .references('id')
      .inTable('tag_fix_jobs')
      .onDelete('CASCADE');
    table
      .integer('seq')
      .notNullable()
      .comment('The order in which the items are applied');
    table
      .string('resource_key', 1024)
      .notNullable()
      .comment('The resource id in lower case');
    table.text('resource_id').notNullable().comment('As Azure spells it');
    table.string('subscription_id', 36).notNullable();
    table
      .text('change')
      .notNullable()
      .comment(
        'JSON: { set, remove, expected }, applied through the tag write path',
      );
    table
      .string('status', 16)
      .notNullable()
      .comment('pending, applied, skipped or failed');
    table.text('message').nullable().comment('Why it was skipped or failed');
    table.primary(['job_id', 'seq']);
    table.index(['job_id', 'status', 'seq'], 'tag_fix_items_pending_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tag_fix_items');
  await knex.schema.dropTable('tag_fix_jobs');
};
