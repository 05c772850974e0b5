import {
  GOOD_RUNS_TO_RESOLVE,
  SYSTEM_ACTOR,
  isOpen,
  type Actor,
  type Incident,
  type IncidentActionType,
} from '../domain/incident.js';

/**
 * The incident state machine, pure: (the monitor's open incident, an event) -> (the
 * incident after it, the effects to store in the same transaction). Ids and times come in
 * with the event, so the same inputs always give the same outputs.
 */
export type IncidentEvent =
  | {
      type: 'measured';
      at: string;
      monitorId: string;
      measurementId: string;
      value: number | null;
      verdict: 'learning' | 'normal' | 'anomaly';
      /** The id a new incident gets, should this measurement open one. */
      newIncidentId: string;
    }
  | { type: 'acknowledge'; at: string; actor: Actor }
  | { type: 'resolve'; at: string; actor: Actor }
  | {
      type: 'mark_normal';
      at: string;
      actor: Actor;
      measurementId: string;
      /** Out-of-range measurements of this incident, other than this one, not marked normal. */
      othersOutOfRange: number;
    };

export type IncidentEffect =
  | { type: 'action'; action: IncidentActionType; at: string; actor: Actor }
  | { type: 'notify'; event: 'incident_created' | 'incident_resolved' }
  /** The measurement belongs to the incident (measurements.incident_id). */
  | { type: 'link_measurement'; measurementId: string };

export interface Transition {
  /** The incident after the event: new, changed, the same, or null when there is none. */
  incident: Incident | null;
  /** Whether the incident row changed (insert when it is new, update otherwise). */
  changed: boolean;
  effects: IncidentEffect[];
}

/** A person asked for something the incident's state does not allow. */
export interface Refusal {
  refused: string;
}

const unchanged = (incident: Incident | null): Transition => ({ incident, changed: false, effects: [] });

function resolved(incident: Incident, at: string, action: IncidentActionType, actor: Actor, before: IncidentEffect[] = []): Transition {
  return {
    incident: { ...incident, status: 'resolved', resolvedAt: at },
    changed: true,
    effects: [...before, { type: 'action', action, at, actor }, { type: 'notify', event: 'incident_resolved' }],
  };
}

function measured(open: Incident | null, event: Extract<IncidentEvent, { type: 'measured' }>): Transition {
  const { at, value, measurementId } = event;
  if (event.verdict === 'anomaly') {
    if (isOpen(open)) {
      // Still out of range: the incident follows the value, nobody is told again.
      return {
        incident: { ...open, value, lastSeenAt: at, goodRuns: 0 },
        changed: true,
        effects: [{ type: 'link_measurement', measurementId }],
      };
    }
    const incident: Incident = {
      id: event.newIncidentId,
      monitorId: event.monitorId,
      status: 'active',
      value,
      firstSeenAt: at,
      lastSeenAt: at,
      acknowledgedAt: null,
      resolvedAt: null,
      goodRuns: 0,
      openedBy: measurementId,
    };
    return {
      incident,
      changed: true,
      effects: [
        { type: 'link_measurement', measurementId },
        { type: 'action', action: 'created', at, actor: SYSTEM_ACTOR },
        { type: 'notify', event: 'incident_created' },
      ],
    };
  }
  // A learning run says nothing either way; only in-range runs count towards resolving.
  if (!isOpen(open) || event.verdict !== 'normal') return unchanged(open);
  const goodRuns = open.goodRuns + 1;
  if (goodRuns >= GOOD_RUNS_TO_RESOLVE) return resolved({ ...open, goodRuns }, at, 'auto_resolved', SYSTEM_ACTOR);
  return { incident: { ...open, goodRuns }, changed: true, effects: [] };
}

/** `open` is the monitor's open incident for a measurement, or the incident a person acts on. */
export function reduceIncident(open: Incident | null, event: IncidentEvent): Transition | Refusal {
  switch (event.type) {
    case 'measured':
      return measured(open, event);
    case 'acknowledge':
      if (open === null) return { refused: 'there is no incident to acknowledge' };
      if (open.status === 'resolved') return { refused: 'the incident is already resolved' };
      if (open.status === 'acknowledged') return unchanged(open);
      return {
        incident: { ...open, status: 'acknowledged', acknowledgedAt: event.at },
        changed: true,
        effects: [{ type: 'action', action: 'acknowledged', at: event.at, actor: event.actor }],
      };
    case 'resolve':
      if (open === null) return { refused: 'there is no incident to resolve' };
      if (open.status === 'resolved') return unchanged(open);
      return resolved(open, event.at, 'resolved', event.actor);
    case 'mark_normal': {
      const mark: IncidentEffect = { type: 'action', action: 'marked_normal', at: event.at, actor: event.actor };
      if (open === null) return { refused: 'the measurement belongs to no incident' };
      // On a resolved incident the mark is still worth keeping: the detector trains on it.
      if (!isOpen(open) || event.othersOutOfRange > 0) return { incident: open, changed: false, effects: [mark] };
      return resolved(open, event.at, 'resolved', event.actor, [mark]);
    }
  }
}

export function isRefusal(result: Transition | Refusal): result is Refusal {
  return 'refused' in result;
}
