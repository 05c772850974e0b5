/**
 * The store's tables, as kysely sees them. The same schema runs on SQLite and Postgres, so
 * the column types are the ones both share: times are ISO-8601 UTC text (which sorts in
 * time order), booleans are 0/1 integers, structured fields are JSON text.
 */

export interface IntegrationTable {
  id: string;
  name: string;
  type: string;
  created_at: string;
  updated_at: string;
}

export interface TargetTable {
  id: string;
  integration_id: string;
  /** 'table' | 'column' | 'integration' (a custom query without a table) */
  entity_type: string;
  /** JSON array of the table path parts, or null */
  table_path: string | null;
  column_name: string | null;
  created_at: string;
  updated_at: string;
}

export interface MonitorTable {
  id: string;
  name: string;
  integration_id: string;
  target_id: string;
  metric_type: string;
  /** JSON object: where, timestamp_column, query_select */
  metric_config: string;
  /** JSON object: the schedule */
  schedule: string;
  frequency: number | null;
  is_enabled: number;
  condition_auto_sensitivity: number | null;
  condition_manual_min: number | null;
  condition_manual_max: number | null;
  condition_bounds: string;
  /** 'yaml' | 'api' */
  source: string;
  status: string;
  last_attempted_at: string | null;
  last_success_at: string | null;
  last_error_at: string | null;
  last_error_message: string;
  last_measurement: string | null;
  last_measurement_value: number | null;
  last_incident: string | null;
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface MeasurementTable {
  id: string;
  monitor_id: string;
  value: number | null;
  lower_threshold: number | null;
  upper_threshold: number | null;
  /** 'learning' | 'normal' | 'anomaly' */
  status: string;
  is_anomaly: number;
  marked_normal: number;
  incident_id: string | null;
  incident_metadata: string | null;
  /** The scheduled slot this run was for (ISO), unique per monitor; null for runs by hand. */
  scheduled_for: string | null;
  created_at: string;
  updated_at: string;
}

export interface IncidentTable {
  id: string;
  monitor_id: string;
  target_id: string;
  name: string;
  summary: string;
  /** 'active' | 'acknowledged' | 'resolved' */
  status: string;
  value: number | null;
  first_seen_at: string;
  last_seen_at: string;
  last_notified_at: string | null;
  acknowledged_at: string | null;
  resolved_at: string | null;
  /** Consecutive in-range runs while open: three resolve it. */
  good_runs: number;
  /** The measurement that opened it. */
  opened_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface IncidentActionTable {
  /** A time-ordered (v7) UUID */
  id: string;
  incident_id: string;
  type: string;
  user_id: string | null;
  user_name: string | null;
  at: string;
}

export interface BackgroundJobTable {
  id: string;
  user: string | null;
  title: string;
  failed: number;
  started: string | null;
  completed: string | null;
  logs: string;
  has_artifact: number;
  created_at: string;
  updated_at: string;
}

export interface OutboxTable {
  /** A time-ordered (v7) UUID; also the notification's id, the same on every retry. */
  id: string;
  /** The configured channel's name. */
  channel: string;
  event: string;
  monitor_id: string;
  incident_id: string | null;
  /** The Notification, as JSON. */
  payload: string;
  /** 'pending' | 'sent' | 'failed' (gave up: a permanent error, or out of attempts) */
  status: string;
  attempts: number;
  next_attempt_at: string;
  /** A sender holds the row until then. */
  claimed_until: string | null;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApiKeyTable {
  /** A time-ordered (v7) UUID */
  id: string;
  /** Unique among keys not revoked. */
  name: string;
  /** 'admin' | 'editor' | 'viewer' */
  role: string;
  /** The key's public part (12 hex chars), unique: it finds the row. */
  lookup: string;
  /** Hex sha256 of the key's secret part; the key itself is never stored. */
  secret_hash: string;
  created_at: string;
  /** Updated at most once a minute. */
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Which replica runs a scheduled slot (Postgres stores; see migration 0005). */
export interface SlotClaimTable {
  monitor_id: string;
  /** The slot, as RunSlot.scheduledFor. */
  scheduled_for: string;
  /** The replica: host, process and start. */
  claimed_by: string;
  /** ISO time after which another replica may take the slot over. */
  claimed_until: string;
}

export interface StoreSchema {
  integrations: IntegrationTable;
  targets: TargetTable;
  monitors: MonitorTable;
  measurements: MeasurementTable;
  incidents: IncidentTable;
  incident_actions: IncidentActionTable;
  background_jobs: BackgroundJobTable;
  outbox: OutboxTable;
  api_keys: ApiKeyTable;
  slot_claims: SlotClaimTable;
}
