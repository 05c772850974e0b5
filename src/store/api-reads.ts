import type { SelectQueryBuilder } from 'kysely';
import type { StoreDb } from './database.js';
import type { IncidentActionTable, IncidentTable, IntegrationTable, MeasurementTable, MonitorTable, StoreSchema, TargetTable } from './schema.js';

/**
 * What the REST API reads: pages of monitors, incidents and measurements, each with what
 * its JSON needs (targets, integrations, actions), in a few queries a page, never one a row.
 */

export interface Page {
  /** 1-based. */
  page: number;
  pageSize: number;
}

export interface Paged<T> {
  count: number;
  results: T[];
}

export interface MonitorFilter {
  status?: string;
  metricType?: string;
  target?: string;
  integration?: string;
  isEnabled?: boolean;
  ids?: readonly string[];
}

export interface MonitorRecord {
  monitor: MonitorTable;
  target: TargetTable;
  integration: IntegrationTable;
}

export interface IncidentFilter {
  status?: string;
  monitor?: string;
}

export interface IncidentRecord {
  incident: IncidentTable;
  actions: IncidentActionTable[];
  monitor: { id: string; name: string };
  target: TargetTable;
  integration: IntegrationTable;
}

export interface MeasurementFilter {
  monitor?: string;
  incident?: string;
  /** ISO times, inclusive. */
  from?: string;
  to?: string;
}

const offset = (page: Page) => (page.page - 1) * page.pageSize;

async function countOf<T extends keyof StoreSchema>(query: SelectQueryBuilder<StoreSchema, T, object>): Promise<number> {
  const row = await query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number((row as { n: number | string }).n);
}

async function targetsAndIntegrations(db: StoreDb, targetIds: readonly string[]): Promise<{ targets: Map<string, TargetTable>; integrations: Map<string, IntegrationTable> }> {
  const unique = [...new Set(targetIds)];
  const targets = unique.length === 0 ? [] : await db.selectFrom('targets').selectAll().where('id', 'in', unique).execute();
  const integrationIds = [...new Set(targets.map((t) => t.integration_id))];
  const integrations = integrationIds.length === 0 ? [] : await db.selectFrom('integrations').selectAll().where('id', 'in', integrationIds).execute();
  return { targets: new Map(targets.map((t) => [t.id, t])), integrations: new Map(integrations.map((i) => [i.id, i])) };
}

function monitorsWhere(db: StoreDb, filter: MonitorFilter) {
  let query = db.selectFrom('monitors');
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.metricType !== undefined) query = query.where('metric_type', '=', filter.metricType);
  if (filter.target !== undefined) query = query.where('target_id', '=', filter.target);
  if (filter.integration !== undefined) query = query.where('integration_id', '=', filter.integration);
  if (filter.isEnabled !== undefined) query = query.where('is_enabled', '=', filter.isEnabled ? 1 : 0);
  if (filter.ids !== undefined) query = query.where('id', 'in', filter.ids.length === 0 ? [''] : [...filter.ids]);
  return query;
}

async function withTargets(db: StoreDb, monitors: MonitorTable[]): Promise<MonitorRecord[]> {
  const { targets, integrations } = await targetsAndIntegrations(db, monitors.map((m) => m.target_id));
  return monitors.flatMap((monitor) => {
    const target = targets.get(monitor.target_id);
    const integration = target === undefined ? undefined : integrations.get(monitor.integration_id);
    return target === undefined || integration === undefined ? [] : [{ monitor, target, integration }];
  });
}

/** Monitors, oldest first. */
export async function pageMonitors(db: StoreDb, filter: MonitorFilter, page: Page): Promise<Paged<MonitorRecord>> {
  const count = await countOf(monitorsWhere(db, filter));
  const rows = await monitorsWhere(db, filter).selectAll().orderBy('created_at').orderBy('id').limit(page.pageSize).offset(offset(page)).execute();
  return { count, results: await withTargets(db, rows) };
}

export async function getMonitor(db: StoreDb, id: string): Promise<MonitorRecord | undefined> {
  const row = await db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : (await withTargets(db, [row]))[0];
}

function incidentsWhere(db: StoreDb, filter: IncidentFilter) {
  let query = db.selectFrom('incidents');
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.monitor !== undefined) query = query.where('monitor_id', '=', filter.monitor);
  return query;
}

async function incidentRecords(db: StoreDb, incidents: IncidentTable[]): Promise<IncidentRecord[]> {
  if (incidents.length === 0) return [];
  const ids = incidents.map((i) => i.id);
  const actions = await db.selectFrom('incident_actions').selectAll().where('incident_id', 'in', ids).orderBy('at').orderBy('id').execute();
  const monitorIds = [...new Set(incidents.map((i) => i.monitor_id))];
  const monitors = await db.selectFrom('monitors').select(['id', 'name', 'integration_id']).where('id', 'in', monitorIds).execute();
  const byMonitor = new Map(monitors.map((m) => [m.id, m]));
  const { targets, integrations } = await targetsAndIntegrations(db, incidents.map((i) => i.target_id));
  return incidents.flatMap((incident) => {
    const monitor = byMonitor.get(incident.monitor_id);
    const target = targets.get(incident.target_id);
    const integration = target === undefined ? undefined : integrations.get(target.integration_id);
    if (monitor === undefined || target === undefined || integration === undefined) return [];
    return [{ incident, actions: actions.filter((a) => a.incident_id === incident.id), monitor: { id: monitor.id, name: monitor.name }, target, integration }];
  });
}

/** Incidents, newest first. */
export async function pageIncidents(db: StoreDb, filter: IncidentFilter, page: Page): Promise<Paged<IncidentRecord>> {
  const count = await countOf(incidentsWhere(db, filter));
  const rows = await incidentsWhere(db, filter).selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.pageSize).offset(offset(page)).execute();
  return { count, results: await incidentRecords(db, rows) };
}

export async function getIncident(db: StoreDb, id: string): Promise<IncidentRecord | undefined> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : (await incidentRecords(db, [row]))[0];
}

function measurementsWhere(db: StoreDb, filter: MeasurementFilter) {
  let query = db.selectFrom('measurements');
  if (filter.monitor !== undefined) query = query.where('monitor_id', '=', filter.monitor);
  if (filter.incident !== undefined) query = query.where('incident_id', '=', filter.incident);
  if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('created_at', '<=', filter.to);
  return query;
}

/** Measurements, newest first. */
export async function pageMeasurements(db: StoreDb, filter: MeasurementFilter, page: Page): Promise<Paged<MeasurementTable>> {
  const count = await countOf(measurementsWhere(db, filter));
  const results = await measurementsWhere(db, filter).selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.pageSize).offset(offset(page)).execute();
  return { count, results };
}

export async function getMeasurement(db: StoreDb, id: string): Promise<MeasurementTable | undefined> {
  return db.selectFrom('measurements').selectAll().where('id', '=', id).executeTakeFirst();
}
