import type { Monitor } from '../domain/monitor.js';

/** Standard metrics of one table, computed together in one query. */
export interface BatchUnit {
  kind: 'batch';
  warehouse: string;
  table: readonly string[];
  monitors: Monitor[];
}

/** One custom_sql monitor: its own query. */
export interface CustomUnit {
  kind: 'custom';
  warehouse: string;
  monitor: Monitor;
}

/** A freshness monitor without a timestamp column: the warehouse's own record of the table's last change. */
export interface MetadataUnit {
  kind: 'metadata';
  warehouse: string;
  table: readonly string[];
  monitor: Monitor;
}

export type WorkUnit = BatchUnit | CustomUnit | MetadataUnit;

/** Wide enough for one scan to serve a whole table's monitors, narrow enough for any warehouse's column limit. */
export const MAX_BATCH_SIZE = 100;

/**
 * Plans monitors that run together into work: one batch per table (split past
 * MAX_BATCH_SIZE), one unit per custom query or metadata lookup. Grouped by warehouse, in a stable order.
 */
export function planRuns(monitors: readonly Monitor[]): Map<string, WorkUnit[]> {
  const batches = new Map<string, BatchUnit>();
  const byWarehouse = new Map<string, WorkUnit[]>();
  const add = (unit: WorkUnit) => {
    const list = byWarehouse.get(unit.warehouse) ?? [];
    list.push(unit);
    byWarehouse.set(unit.warehouse, list);
  };
  for (const monitor of monitors) {
    if (monitor.metricType === 'custom_sql' || monitor.table === null) {
      add({ kind: 'custom', warehouse: monitor.warehouse, monitor });
      continue;
    }
    if (monitor.metricType === 'freshness' && monitor.metricConfig.timestamp_column === undefined) {
      add({ kind: 'metadata', warehouse: monitor.warehouse, table: monitor.table, monitor });
      continue;
    }
    const key = JSON.stringify([monitor.warehouse, monitor.table]);
    let batch = batches.get(key);
    if (batch === undefined || batch.monitors.length >= MAX_BATCH_SIZE) {
      batch = { kind: 'batch', warehouse: monitor.warehouse, table: monitor.table, monitors: [] };
      batches.set(key, batch);
      add(batch);
    }
    batch.monitors.push(monitor);
  }
  return byWarehouse;
}
