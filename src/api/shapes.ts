import type { MetricConfig, MetricType } from '../domain/metric.js';
import type { IncidentActionType, IncidentStatus } from '../domain/incident.js';
import type { ConditionBounds, MonitorStatus } from '../domain/monitor.js';
import type { Schedule } from '../domain/schedule.js';
import type {
  BackgroundJobTable,
  IncidentActionTable,
  IncidentTable,
  IntegrationTable,
  MeasurementTable,
  MonitorTable,
  TargetTable,
} from '../store/schema.js';

/**
 * Store rows -> the Monitors API's JSON (reference/monitors-api.txt). Field names, JSON types
 * and key order follow the reference's examples; fields Vigil adds come after them. Times are
 * stored as ISO-8601 text and pass through; 0/1 columns become booleans; JSON text is parsed.
 */

/** What the API shows of a monitor's or incident's target. */
export interface TargetDisplayMetadata {
  icon: null;
  /** Column name, table path (public.orders), or the integration's name for a custom query. */
  label: string;
  /** 'table' | 'column' | 'integration' */
  entity_type: string;
  integration: string;
  /** The warehouse type: postgres, sqlite... */
  integration_type: string;
}

export interface MonitorResponse {
  id: string;
  created_at: string;
  updated_at: string;
  integration: string;
  target: string;
  workspace: string;
  metric_type: MetricType;
  /** The reference's example shows a string; the create request sends an object, and so do we. */
  metric_config: MetricConfig;
  /** Hours between runs; null for a cron schedule without a fixed period. */
  frequency: number | null;
  name: string;
  is_enabled: boolean;
  last_attempted_at: string | null;
  last_success_at: string | null;
  last_error_at: string | null;
  last_error_message: string;
  condition_auto_sensitivity: number | null;
  condition_manual_min: number | null;
  condition_manual_max: number | null;
  status: MonitorStatus;
  display_metadata: { target: TargetDisplayMetadata };
  last_measurement_value: number | null;
  last_incident: string | null;
  last_measurement: string | null;
  next_run_at: string | null;
  // Vigil's additions:
  schedule: Schedule;
  condition_bounds: ConditionBounds;
}

export interface IncidentActionResponse {
  type: IncidentActionType;
  /** Null when Vigil itself acted. */
  user_id: string | null;
  user_name: string | null;
  at: string;
}

export interface IncidentResponse {
  acknowledged_at: string | null;
  actions: IncidentActionResponse[];
  created_at: string;
  display_metadata: { monitor: { label: string }; target: TargetDisplayMetadata };
  first_seen_at: string;
  id: string;
  last_notified_at: string | null;
  last_seen_at: string;
  monitor: string;
  name: string;
  resolved_at: string | null;
  status: IncidentStatus;
  summary: string;
  target: string;
  updated_at: string;
  value: number | null;
}

export interface MeasurementResponse {
  id: string;
  created_at: string;
  updated_at: string;
  incident: string | null;
  incident_metadata: string | null;
  monitor: string;
  upper_threshold: number | null;
  lower_threshold: number | null;
  value: number | null;
  // Vigil's additions:
  /** 'learning' | 'normal' | 'anomaly' */
  status: string;
  is_anomaly: boolean;
  marked_normal: boolean;
}

export interface JobResponse {
  id: string;
  user: string | null;
  failed: boolean;
  started: string | null;
  completed: string | null;
  logs: string;
  title: string;
  has_artifact: boolean;
}

/** What a target is called: its column, its table path, or its integration for a custom query. */
function targetLabel(target: TargetTable, integration: IntegrationTable): string {
  const table = target.table_path === null ? null : (JSON.parse(target.table_path) as string[]).join('.');
  switch (target.entity_type) {
    case 'column':
      return target.column_name ?? table ?? integration.name;
    case 'table':
      return table ?? integration.name;
    default: // 'integration': a custom query without a table
      return integration.name;
  }
}

/** The target's display metadata, keys in the order of the reference's monitor example. */
export function targetDisplayMetadata(target: TargetTable, integration: IntegrationTable): TargetDisplayMetadata {
  return {
    icon: null,
    label: targetLabel(target, integration),
    entity_type: target.entity_type,
    integration: integration.id,
    integration_type: integration.type,
  };
}

/** The same object with its keys in alphabetical order, as the reference's incident example has them. */
function alphabetical<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}

export function monitorResponse(
  row: MonitorTable,
  target: TargetTable,
  integration: IntegrationTable,
  workspace: string,
): MonitorResponse {
  return {
    id: row.id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    integration: row.integration_id,
    target: row.target_id,
    workspace,
    metric_type: row.metric_type as MetricType,
    metric_config: JSON.parse(row.metric_config) as MetricConfig,
    frequency: row.frequency,
    name: row.name,
    is_enabled: row.is_enabled === 1,
    last_attempted_at: row.last_attempted_at,
    last_success_at: row.last_success_at,
    last_error_at: row.last_error_at,
    last_error_message: row.last_error_message,
    condition_auto_sensitivity: row.condition_auto_sensitivity,
    condition_manual_min: row.condition_manual_min,
    condition_manual_max: row.condition_manual_max,
    status: row.status as MonitorStatus,
    display_metadata: { target: targetDisplayMetadata(target, integration) },
    last_measurement_value: row.last_measurement_value,
    last_incident: row.last_incident,
    last_measurement: row.last_measurement,
    next_run_at: row.next_run_at,
    schedule: JSON.parse(row.schedule) as Schedule,
    condition_bounds: row.condition_bounds as ConditionBounds,
  };
}

/** Oldest first; actions at the same instant keep the order of their time-ordered ids. */
function byTime(a: IncidentActionTable, b: IncidentActionTable): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function incidentResponse(
  row: IncidentTable,
  actions: readonly IncidentActionTable[],
  monitor: { id: string; name: string },
  target: TargetTable,
  integration: IntegrationTable,
): IncidentResponse {
  return {
    acknowledged_at: row.acknowledged_at,
    actions: [...actions].sort(byTime).map((action) => ({
      type: action.type as IncidentActionType,
      user_id: action.user_id,
      user_name: action.user_name,
      at: action.at,
    })),
    created_at: row.created_at,
    display_metadata: {
      monitor: { label: monitor.name },
      target: alphabetical(targetDisplayMetadata(target, integration)),
    },
    first_seen_at: row.first_seen_at,
    id: row.id,
    last_notified_at: row.last_notified_at,
    last_seen_at: row.last_seen_at,
    monitor: monitor.id,
    name: row.name,
    resolved_at: row.resolved_at,
    status: row.status as IncidentStatus,
    summary: row.summary,
    target: row.target_id,
    updated_at: row.updated_at,
    value: row.value,
  };
}

export function measurementResponse(row: MeasurementTable): MeasurementResponse {
  return {
    id: row.id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    incident: row.incident_id,
    incident_metadata: row.incident_metadata,
    monitor: row.monitor_id,
    upper_threshold: row.upper_threshold,
    lower_threshold: row.lower_threshold,
    value: row.value,
    status: row.status,
    is_anomaly: row.is_anomaly === 1,
    marked_normal: row.marked_normal === 1,
  };
}

export function jobResponse(row: BackgroundJobTable): JobResponse {
  return {
    id: row.id,
    user: row.user,
    failed: row.failed === 1,
    started: row.started,
    completed: row.completed,
    logs: row.logs,
    title: row.title,
    has_artifact: row.has_artifact === 1,
  };
}
