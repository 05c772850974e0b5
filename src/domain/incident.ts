/** An incident: a monitor out of range, from the first breach until it is resolved. */
export const INCIDENT_STATUSES = ['active', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Every transition is stored as one of these. */
export const INCIDENT_ACTIONS = [
  'created',
  'notification_initial',
  'acknowledged',
  'resolved',
  'auto_resolved',
  'notification_resolved',
  'marked_normal',
] as const;
export type IncidentActionType = (typeof INCIDENT_ACTIONS)[number];

/** Who did it: a person through the API, or Vigil itself (both null). */
export interface Actor {
  userId: string | null;
  userName: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, userName: null };

export interface Incident {
  id: string;
  monitorId: string;
  status: IncidentStatus;
  /** The latest out-of-range value. */
  value: number | null;
  firstSeenAt: string;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  /** Consecutive in-range runs while open. */
  goodRuns: number;
  /** The measurement that opened it. */
  openedBy: string | null;
}

/** In-range runs in a row that resolve an incident on their own. */
export const GOOD_RUNS_TO_RESOLVE = 3;

export function isOpen(incident: Incident | null): incident is Incident {
  return incident !== null && incident.status !== 'resolved';
}
