import type { Incident, IncidentStatus } from '../domain/incident.js';
import type { IncidentTable } from './schema.js';

export function incidentFromRow(row: IncidentTable): Incident {
  return {
    id: row.id,
    monitorId: row.monitor_id,
    status: row.status as IncidentStatus,
    value: row.value,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    acknowledgedAt: row.acknowledged_at,
    resolvedAt: row.resolved_at,
    goodRuns: row.good_runs,
    openedBy: row.opened_by,
  };
}

/** The columns an incident's state sets; name, target and summary come from its monitor. */
export function incidentStateColumns(incident: Incident, now: string) {
  return {
    status: incident.status,
    value: incident.value,
    last_seen_at: incident.lastSeenAt,
    acknowledged_at: incident.acknowledgedAt,
    resolved_at: incident.resolvedAt,
    good_runs: incident.goodRuns,
    updated_at: now,
  };
}
