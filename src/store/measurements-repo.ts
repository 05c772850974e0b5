import type { HistoryPoint } from '../domain/measurement.js';
import type { StoreDb } from './database.js';

/** The newest `limit` measurements of a monitor before `before`, oldest first, as detectors read them. */
export async function loadHistory(db: StoreDb, monitorId: string, before: Date, limit: number): Promise<HistoryPoint[]> {
  const rows = await db
    .selectFrom('measurements')
    .select(['created_at', 'value', 'is_anomaly', 'marked_normal'])
    .where('monitor_id', '=', monitorId)
    .where('created_at', '<', before.toISOString())
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map((row) => ({
    at: new Date(row.created_at),
    value: row.value,
    isAnomaly: row.is_anomaly === 1,
    markedNormal: row.marked_normal === 1,
  }));
}
