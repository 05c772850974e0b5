import type { Monitor } from '../domain/monitor.js';
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
