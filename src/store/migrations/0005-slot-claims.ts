import type { Kysely } from 'kysely';

/**
 * Replicas on one Postgres store claim each scheduled slot before running it, so a slot is
 * measured by one of them, not by all (a warehouse is asked once). A claim lapses at
 * claimed_until, so a replica that died holding one does not hold the slot for ever.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('slot_claims')
    .addColumn('monitor_id', 'text', (c) => c.notNull())
    .addColumn('scheduled_for', 'text', (c) => c.notNull())
    .addColumn('claimed_by', 'text', (c) => c.notNull())
    .addColumn('claimed_until', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('slot_claims_pk', ['monitor_id', 'scheduled_for'])
    .execute();
  await db.schema.createIndex('slot_claims_until').on('slot_claims').column('claimed_until').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('slot_claims').execute();
}
