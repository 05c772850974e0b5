import type { Monitor, MonitorStatus } from '../domain/monitor.js';
import type { StoreDb } from './database.js';
import { monitorFromRow, type MonitorJoinRow } from './monitor-rows.js';

export interface MonitorQuery {
  enabledOnly?: boolean;
  ids?: readonly string[];
}

/** Monitors with their warehouse name and target, in name order. */
export async function listMonitors(db: StoreDb, query: MonitorQuery = {}): Promise<Monitor[]> {
  let select = db
    .selectFrom('monitors')
    .innerJoin('targets', 'targets.id', 'monitors.target_id')
    .innerJoin('integrations', 'integrations.id', 'monitors.integration_id')
    .selectAll('monitors')
    .select(['integrations.name as warehouse', 'targets.table_path', 'targets.column_name']);
  if (query.enabledOnly === true) select = select.where('monitors.is_enabled', '=', 1);
  if (query.ids !== undefined) {
    if (query.ids.length === 0) return [];
    select = select.where('monitors.id', 'in', [...query.ids]);
  }
  const rows = (await select.orderBy('monitors.name').orderBy('monitors.id').execute()) as MonitorJoinRow[];
  return rows.map(monitorFromRow);
}

/** A run that produced a value: the measurement and the monitor's fields, in one transaction. */
export interface SuccessRecord {
  monitorId: string;
  measurementId: string;
  at: Date;
  value: number | null;
  lower: number | null;
  upper: number | null;
  measurementStatus: 'learning' | 'normal' | 'anomaly';
  monitorStatus: MonitorStatus;
}

export async function recordSuccess(db: StoreDb, record: SuccessRecord): Promise<void> {
  const at = record.at.toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('measurements')
      .values({
        id: record.measurementId,
        monitor_id: record.monitorId,
        value: record.value,
        lower_threshold: record.lower,
        upper_threshold: record.upper,
        status: record.measurementStatus,
        is_anomaly: record.measurementStatus === 'anomaly' ? 1 : 0,
        marked_normal: 0,
        incident_id: null,
        incident_metadata: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await trx
      .updateTable('monitors')
      .set({
        status: record.monitorStatus,
        last_attempted_at: at,
        last_success_at: at,
        last_measurement: record.measurementId,
        last_measurement_value: record.value,
        updated_at: at,
      })
      .where('id', '=', record.monitorId)
      .execute();
  });
}

/** A run that failed: the monitor is in error with a message a person can act on. */
export async function recordFailure(db: StoreDb, monitorId: string, message: string, at: Date): Promise<void> {
  const iso = at.toISOString();
  await db
    .updateTable('monitors')
    .set({ status: 'error', last_attempted_at: iso, last_error_at: iso, last_error_message: message, updated_at: iso })
    .where('id', '=', monitorId)
    .execute();
}
