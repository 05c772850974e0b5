import { sql, type Kysely } from 'kysely';

/** The first schema: integrations, targets, monitors, measurements, incidents, actions, jobs. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('targets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id'))
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('table_path', 'text')
    .addColumn('column_name', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('targets_integration').on('targets').column('integration_id').execute();

  await db.schema
    .createTable('monitors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id'))
    .addColumn('target_id', 'text', (c) => c.notNull().references('targets.id'))
    .addColumn('metric_type', 'text', (c) => c.notNull())
    .addColumn('metric_config', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('schedule', 'text', (c) => c.notNull())
    .addColumn('frequency', 'double precision')
    .addColumn('is_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('condition_auto_sensitivity', 'integer')
    .addColumn('condition_manual_min', 'double precision')
    .addColumn('condition_manual_max', 'double precision')
    .addColumn('condition_bounds', 'text', (c) => c.notNull().defaultTo('both'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('last_attempted_at', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('last_error_message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_measurement', 'text')
    .addColumn('last_measurement_value', 'double precision')
    .addColumn('last_incident', 'text')
    .addColumn('next_run_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('monitors_target').on('monitors').column('target_id').execute();
  await db.schema.createIndex('monitors_integration').on('monitors').column('integration_id').execute();
  await db.schema.createIndex('monitors_status').on('monitors').column('status').execute();
  await db.schema.createIndex('monitors_next_run').on('monitors').columns(['is_enabled', 'next_run_at']).execute();

  await db.schema
    .createTable('measurements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('monitor_id', 'text', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
    .addColumn('value', 'double precision')
    .addColumn('lower_threshold', 'double precision')
    .addColumn('upper_threshold', 'double precision')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('is_anomaly', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('marked_normal', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('incident_id', 'text')
    .addColumn('incident_metadata', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The API lists a monitor's measurements by time; detectors read its recent history.
  await db.schema.createIndex('measurements_monitor_time').on('measurements').columns(['monitor_id', 'created_at']).execute();
  await db.schema.createIndex('measurements_incident').on('measurements').column('incident_id').execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('monitor_id', 'text', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_notified_at', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_monitor').on('incidents').columns(['monitor_id', 'created_at']).execute();
  await db.schema.createIndex('incidents_status').on('incidents').columns(['status', 'created_at']).execute();
  // One open incident per monitor, enforced by the database itself.
  await db.schema
    .createIndex('incidents_one_open_per_monitor')
    .on('incidents')
    .column('monitor_id')
    .unique()
    .where(sql.ref('status'), '<>', 'resolved')
    .execute();

  await db.schema
    .createTable('incident_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('user_name', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_actions_incident').on('incident_actions').columns(['incident_id', 'at']).execute();

  await db.schema
    .createTable('background_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started', 'text')
    .addColumn('completed', 'text')
    .addColumn('logs', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('has_artifact', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['background_jobs', 'incident_actions', 'incidents', 'measurements', 'monitors', 'targets', 'integrations']) {
    await db.schema.dropTable(table).execute();
  }
}
