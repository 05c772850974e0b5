import type { MetricConfig, MetricType } from './metric.js';
import type { Schedule } from './schedule.js';

export const MONITOR_STATUSES = ['pending', 'learning', 'normal', 'incident', 'error'] as const;
export type MonitorStatus = (typeof MONITOR_STATUSES)[number];

export const CONDITION_BOUNDS = ['both', 'upper', 'lower'] as const;
export type ConditionBounds = (typeof CONDITION_BOUNDS)[number];

/**
 * How a monitor decides a value is out of range: a learned band at a sensitivity (1-10),
 * or, when sensitivity is null, the manual min and max.
 */
export interface Condition {
  sensitivity: number | null;
  min: number | null;
  max: number | null;
  bounds: ConditionBounds;
}

export const DEFAULT_SENSITIVITY = 5;

/** Where monitors come from: the YAML config (read-only through the API) or the API. */
export type MonitorSource = 'yaml' | 'api';

/** A monitor as the engine runs it. */
export interface Monitor {
  id: string;
  name: string;
  /** The warehouse's name in the config. */
  warehouse: string;
  integrationId: string;
  targetId: string;
  /** Table path such as ['public', 'orders']; null for a custom_sql monitor without a table. */
  table: readonly string[] | null;
  column: string | null;
  metricType: MetricType;
  metricConfig: MetricConfig;
  schedule: Schedule;
  condition: Condition;
  isEnabled: boolean;
  source: MonitorSource;
}

/** The table path as people write it: public.orders */
export function formatTablePath(path: readonly string[] | null): string {
  return path === null ? '' : path.join('.');
}

/** Where a monitor looks, for messages: warehouse.public.orders.amount */
export function describeTarget(monitor: Pick<Monitor, 'warehouse' | 'table' | 'column'>): string {
  return [monitor.warehouse, ...(monitor.table ?? []), ...(monitor.column === null ? [] : [monitor.column])].join('.');
}

/** The name a monitor gets when none is given: "Null percentage of public.orders.amount". */
export function defaultMonitorName(metricLabel: string, warehouse: string, table: readonly string[] | null, column: string | null): string {
  const where = [...(table ?? []), ...(column === null ? [] : [column])].join('.');
  return where === '' ? `${metricLabel} on ${warehouse}` : `${metricLabel} of ${where}`;
}
