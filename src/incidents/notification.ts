import type { Incident } from '../domain/incident.js';
import { describeTarget, type Monitor } from '../domain/monitor.js';
import type { Notification, NotificationEvent } from '../domain/notification.js';

export interface NotificationFacts {
  id: string;
  event: NotificationEvent;
  at: string;
  monitor: Monitor;
  incident: Incident | null;
  /** How a resolved incident was resolved. */
  resolution?: 'resolved' | 'auto_resolved' | 'marked_normal' | null;
  measurement: { value: number | null; lower: number | null; upper: number | null } | null;
  error?: string | null;
  /** Base URL for links, without a trailing slash. */
  publicUrl: string | null;
}

/** The notification a transition causes, with everything a channel shows; pure. */
export function buildNotification(facts: NotificationFacts): Notification {
  const { monitor, incident, publicUrl } = facts;
  return {
    id: facts.id,
    event: facts.event,
    at: facts.at,
    monitor: {
      id: monitor.id,
      name: monitor.name,
      metricType: monitor.metricType,
      warehouse: monitor.warehouse,
      target: describeTarget(monitor),
    },
    incident:
      incident === null
        ? null
        : {
            id: incident.id,
            status: incident.status,
            firstSeenAt: incident.firstSeenAt,
            lastSeenAt: incident.lastSeenAt,
            resolvedAt: incident.resolvedAt,
            resolution: facts.resolution ?? null,
            url: publicUrl === null ? null : `${publicUrl}/monitor/incident/${incident.id}`,
          },
    measurement: facts.measurement,
    error: facts.error ?? null,
  };
}
