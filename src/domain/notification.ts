/**
 * What Vigil tells people, and where. A notification is built once, when the transition
 * that causes it is stored, and kept in the outbox until every channel has it.
 */
export const NOTIFICATION_EVENTS = ['incident_created', 'incident_resolved', 'monitor_error'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface Notification {
  /** The outbox row's id: the same on every retry, so a receiver can drop a duplicate. */
  id: string;
  event: NotificationEvent;
  /** ISO-8601 UTC time of the transition. */
  at: string;
  monitor: {
    id: string;
    name: string;
    metricType: string;
    warehouse: string;
    /** warehouse.schema.table.column, as people read it */
    target: string;
  };
  /** The incident, for incident events. */
  incident: {
    id: string;
    status: 'active' | 'acknowledged' | 'resolved';
    firstSeenAt: string;
    lastSeenAt: string;
    resolvedAt: string | null;
    /** How it was resolved: by a person, or by three good runs. */
    resolution: 'resolved' | 'auto_resolved' | 'marked_normal' | null;
    /** A link to it, when `public_url` is configured. */
    url: string | null;
  } | null;
  /** The measurement that caused the event (the breach, or the run that resolved it). */
  measurement: { value: number | null; lower: number | null; upper: number | null } | null;
  /** For monitor_error: what failed, as a person can act on it. */
  error: string | null;
}

/** Where notifications go, as configured. */
export type ChannelConfig =
  | { type: 'slack'; name: string; webhook_url: string }
  | { type: 'webhook'; name: string; url: string; secret?: string | undefined; headers: Record<string, string> }
  | {
      type: 'email';
      name: string;
      from: string;
      to: string[];
      smtp: { host: string; port: number; secure: boolean; user?: string | undefined; password?: string | undefined; reject_unauthorized: boolean };
    };
