import type { MetricConfig, MetricType } from '../domain/metric.js';
import type { ConditionBounds, Monitor, MonitorSource } from '../domain/monitor.js';
import type { Schedule } from '../domain/schedule.js';
import type { MonitorTable } from './schema.js';

/** A monitor row joined with its target and integration, as the engine reads it. */
export interface MonitorJoinRow extends MonitorTable {
  warehouse: string;
  table_path: string | null;
  column_name: string | null;
}

export function monitorFromRow(row: MonitorJoinRow): Monitor {
  return {
    id: row.id,
    name: row.name,
    warehouse: row.warehouse,
    integrationId: row.integration_id,
    targetId: row.target_id,
    table: row.table_path === null ? null : (JSON.parse(row.table_path) as string[]),
    column: row.column_name,
    metricType: row.metric_type as MetricType,
    metricConfig: JSON.parse(row.metric_config) as MetricConfig,
    schedule: JSON.parse(row.schedule) as Schedule,
    condition: {
      sensitivity: row.condition_auto_sensitivity,
      min: row.condition_manual_min,
      max: row.condition_manual_max,
      bounds: row.condition_bounds as ConditionBounds,
    },
    isEnabled: row.is_enabled === 1,
    source: row.source as MonitorSource,
  };
}

/** The definition columns of a monitor: what its config says, not what its runs found. */
export function definitionColumns(monitor: Monitor, frequency: number | null) {
  return {
    name: monitor.name,
    integration_id: monitor.integrationId,
    target_id: monitor.targetId,
    metric_type: monitor.metricType,
    metric_config: JSON.stringify(monitor.metricConfig),
    schedule: JSON.stringify(monitor.schedule),
    frequency,
    is_enabled: monitor.isEnabled ? 1 : 0,
    condition_auto_sensitivity: monitor.condition.sensitivity,
    condition_manual_min: monitor.condition.min,
    condition_manual_max: monitor.condition.max,
    condition_bounds: monitor.condition.bounds,
    source: monitor.source,
  };
}
