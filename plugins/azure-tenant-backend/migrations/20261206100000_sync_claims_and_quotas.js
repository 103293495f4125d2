// @ts-check

/**
 * What replicas sharing one database share:
 *
 * - `sync_claims`, written only by `DatabaseSyncClaims`: one row per subscription, saying which replica syncs it now
 *   (`replica_id` until `lease_until`; none when both are null). A replica renews its lease while it syncs; a replica
 *   that dies leaves a lease that expires, and another one claims the subscription. `generation` grows with every
 *   release, so a replica that read a subscription as due before another synced it cannot claim it again;
 * - `sync_replicas`, written only by `DatabaseSyncClaims`: when each replica last said it is alive, so that a replica
 *   claims its share of the due subscriptions rather than all of them;
 * - `quota_buckets`, written only by `DatabaseQuotaBudget`: one token bucket per Azure quota (e.g. ARM reads of a
 *   principal in a subscription), so that all replicas together stay under Azure's limits. `tokens` as of
 *   `updated_at_ms` (milliseconds since the epoch); the refill is computed from the elapsed time at each take.
 *
 * Times in `sync_claims` are ISO 8601 strings, as in the other tables: they sort as they compare.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sync_claims', table => {
    table.comment('Which replica syncs each subscription now, under a lease');
    table
      .string('subscription_id', 64)
      .primary()
      .notNullable()
      .comment('As in subscriptions.subscription_id');
    table
      .string('replica_id', 255)
      .nullable()
      .comment('The replica syncing it; null when nobody is');
    table
      .string('lease_until', 32)
      .nullable()
      .comment('When the claim lapses unless renewed');
    table.string('claimed_at', 32).nullable();
    table
      .integer('generation')
      .notNullable()
      .defaultTo(0)
      .comment('Grows with every release');
    table.index(['lease_until'], 'sync_claims_lease_until_idx');
  });
  await knex.schema.createTable('sync_replicas', table => {
    table.comment(
      'The replicas that sync resources, and when each was last seen',
    );
    table.string('replica_id', 255).primary().notNullable();
    table.string('seen_at', 32).notNullable();
  });
  await knex.schema.createTable('quota_buckets', table => {
    table.comment(
      'Token buckets that keep every replica within the Azure quotas',
    );
    table
      .string('bucket_key', 400)
      .primary()
      .notNullable()
      .comment(
        'The quota and whose it is, e.g. arm-read|<tenant>|<principal>|<subscription>',
      );
    table.double('tokens').notNullable();
    table.bigInteger('updated_at_ms').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('quota_buckets');
  await knex.schema.dropTable('sync_replicas');
  await knex.schema.dropTable('sync_claims');
};
