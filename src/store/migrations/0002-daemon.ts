import type { Kysely } from 'kysely';

/**
 * What the daemon needs: the incident's count of good runs and the measurement that opened
 * it, the scheduled slot a measurement was taken for (unique per monitor, so a slot re-run
 * after a crash cannot store a second measurement), and the notification outbox.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('good_runs', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('incidents').addColumn('opened_by', 'text').execute();
  await db.schema.alterTable('measurements').addColumn('scheduled_for', 'text').execute();
  // The detector reads a monitor's latest points before every run: an index that holds them
  // answers from the index alone. It replaces the (monitor_id, created_at) index it extends.
  await db.schema
    .createIndex('measurements_history')
    .on('measurements')
    .columns(['monitor_id', 'created_at', 'value', 'is_anomaly', 'marked_normal'])
    .execute();
  await db.schema.dropIndex('measurements_monitor_time').execute();
  // NULLs are distinct on both stores: runs by hand (no slot) never collide.
  await db.schema.createIndex('measurements_one_per_slot').on('measurements').columns(['monitor_id', 'scheduled_for']).unique().execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('monitor_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text')
    // The Notification, as JSON, built when the transition was stored.
    .addColumn('payload', 'text', (c) => c.notNull())
    // 'pending' | 'sent' | 'failed'
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    // A sender holds the row until then; after a crash the claim lapses and another sends it.
    .addColumn('claimed_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('outbox').execute();
  await db.schema.dropIndex('measurements_one_per_slot').execute();
  await db.schema.createIndex('measurements_monitor_time').on('measurements').columns(['monitor_id', 'created_at']).execute();
  await db.schema.dropIndex('measurements_history').execute();
  await db.schema.alterTable('measurements').dropColumn('scheduled_for').execute();
  await db.schema.alterTable('incidents').dropColumn('opened_by').execute();
  await db.schema.alterTable('incidents').dropColumn('good_runs').execute();
}
