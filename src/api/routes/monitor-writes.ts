import type { FastifyInstance } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { METRIC_LABEL, needsNumericColumn } from '../../domain/metric.js';
import { defaultMonitorName, describeTarget, type Monitor } from '../../domain/monitor.js';
import { datesItsTables, dialectFor } from '../../../connectors/registry.js';
import { messageOf } from '../../domain/errors.js';
import { parseTablePath, tablePartsProblem } from '../../domain/table-path.js';
import { getMonitor, type MonitorRecord } from '../../store/api-reads.js';
import { deleteMonitor, ensureTarget, findTarget, insertApiMonitor, monitorNamed, updateApiMonitor, type KnownTarget } from '../../store/api-monitors-repo.js';
import { badRequest, HttpError, notFound } from '../http-errors.js';
import { checkDefinition, parseMonitorBody, type MonitorBody, type TargetRef } from '../monitor-body.js';
import { pathId } from '../request.js';
import { monitorResponse } from '../shapes.js';
import type { ApiDeps } from './context.js';

/** A table or column Vigil knows by id, or one named by warehouse, table and column. */
async function resolveTarget(deps: ApiDeps, ref: TargetRef): Promise<KnownTarget> {
  let known: KnownTarget | undefined;
  if (typeof ref === 'string') {
    known = await findTarget(deps.db, ref.toLowerCase());
    if (known === undefined) throw badRequest({ target: [`no table or column with id ${ref} is known: give one from a monitor, or {warehouse, table, column}`] });
  } else {
    if (!deps.warehouses.includes(ref.warehouse)) throw badRequest({ 'target.warehouse': [`unknown warehouse ${JSON.stringify(ref.warehouse)}; configured: ${deps.warehouses.join(', ') || 'none'}`] });
    let table: string[] | null = null;
    if (ref.table !== undefined) {
      const parsed = typeof ref.table === 'string' ? parseTablePath(ref.table) : { parts: ref.table };
      if ('error' in parsed) throw badRequest({ 'target.table': [parsed.error] });
      table = parsed.parts;
      const type = deps.connectors?.warehouse(ref.warehouse)?.config.type;
      const problem = type === undefined ? undefined : tablePartsProblem(type, table, dialectFor(type));
      if (problem !== undefined) throw badRequest({ 'target.table': [problem] });
    }
    if (ref.column !== undefined && table === null) throw badRequest({ 'target.column': ['a column needs its table'] });
    known = await ensureTarget(deps.db, ref.warehouse, table, ref.column ?? null, deps.clock.now());
    if (known === undefined) throw badRequest({ 'target.warehouse': [`warehouse ${ref.warehouse} is not in the store yet: restart Vigil with it in the config`] });
  }
  if (!deps.warehouses.includes(known.integration.name)) {
    throw badRequest({ target: [`its warehouse ${known.integration.name} is no longer in the config`] });
  }
  return known;
}

/** Builds the monitor a body describes on a target, with the monitor rules of the YAML config. */
function monitorFrom(deps: ApiDeps, id: string, body: MonitorBody, known: KnownTarget): Monitor {
  const table = known.target.table_path === null ? null : (JSON.parse(known.target.table_path) as string[]);
  const column = known.target.column_name;
  const warehouse = known.integration.name;
  const metadataFreshness = datesItsTables(deps.connectors?.warehouse(warehouse)?.config.type);
  const definition = checkDefinition(body, { hasTable: table !== null, column, metadataFreshness });
  return {
    id,
    name: body.name ?? defaultMonitorName(METRIC_LABEL[definition.metricType], warehouse, table, column),
    warehouse,
    integrationId: known.integration.id,
    targetId: known.target.id,
    table,
    column,
    metricType: definition.metricType,
    metricConfig: definition.metricConfig,
    schedule: definition.schedule,
    condition: definition.condition,
    isEnabled: body.is_enabled ?? true,
    source: 'api',
  };
}

/**
 * Where its warehouse answers, a column monitor's column must exist there, and hold numbers
 * for min, max and mean. A warehouse that does not answer now is no reason to refuse: the
 * first run says what is wrong.
 */
async function checkColumn(deps: ApiDeps, monitor: Monitor): Promise<void> {
  const warehouse = deps.connectors?.warehouse(monitor.warehouse);
  if (monitor.column === null || monitor.table === null || warehouse === undefined || deps.connectors === undefined) return;
  const dialect = dialectFor(warehouse.config.type);
  let rows;
  try {
    const connector = await deps.connectors.get(monitor.warehouse);
    rows = (await connector.queryReadOnly(dialect.columnTypeQuery(monitor.table, monitor.column))).rows;
  } catch (error) {
    deps.logger.warn({ warehouse: monitor.warehouse }, `could not check ${describeTarget(monitor)} (its first run will): ${messageOf(error)}`);
    return;
  }
  if (rows.length === 0) throw badRequest({ target: [`${describeTarget(monitor)}: warehouse ${monitor.warehouse} has no such table or column`] });
  const type = String(rows[0]![0] ?? '');
  if (needsNumericColumn(monitor.metricType) && !dialect.isNumericType(type)) {
    throw badRequest({ metric_type: [`${monitor.metricType} needs a numeric column; ${monitor.column} is ${type}`] });
  }
}

/** A monitor as a body: what a PATCH starts from. */
function bodyOf(record: MonitorRecord): MonitorBody {
  const m = record.monitor;
  return {
    name: m.name,
    target: m.target_id,
    metric_type: m.metric_type,
    metric_config: JSON.parse(m.metric_config) as MonitorBody['metric_config'],
    is_enabled: m.is_enabled === 1,
    condition_auto_sensitivity: m.condition_auto_sensitivity,
    condition_manual_min: m.condition_manual_min,
    condition_manual_max: m.condition_manual_max,
    condition_bounds: m.condition_bounds as MonitorBody['condition_bounds'],
    schedule: JSON.parse(m.schedule) as MonitorBody['schedule'],
  };
}

/** A change to a learned band drops the manual one, and the other way round. */
function merge(current: MonitorBody, patch: MonitorBody): MonitorBody {
  const merged = { ...current, ...patch };
  const setsManual = 'condition_manual_min' in patch || 'condition_manual_max' in patch;
  if (setsManual && !('condition_auto_sensitivity' in patch)) merged.condition_auto_sensitivity = null;
  if ('condition_auto_sensitivity' in patch && patch.condition_auto_sensitivity !== null && !setsManual) {
    merged.condition_manual_min = null;
    merged.condition_manual_max = null;
  }
  return merged;
}

async function editable(deps: ApiDeps, id: string): Promise<MonitorRecord> {
  const record = await getMonitor(deps.db, id);
  if (record === undefined) throw notFound(`monitor ${id}`);
  if (record.monitor.source === 'yaml') {
    throw new HttpError(409, { detail: `monitor "${record.monitor.name}" is defined in the YAML config: change it there (through the API it is read-only)` });
  }
  return record;
}

async function nameFree(deps: ApiDeps, name: string, self: string): Promise<void> {
  const other = await monitorNamed(deps.db, name);
  if (other !== undefined && other.id !== self) throw badRequest({ name: [`a monitor named ${JSON.stringify(name)} exists already (${other.id}); names are unique`] });
}

export function monitorWriteRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const show = async (id: string) => {
    const record = (await getMonitor(deps.db, id))!;
    return monitorResponse(record.monitor, record.target, record.integration, deps.workspace);
  };

  app.post('/monitor/monitors', async (request, reply) => {
    const body = parseMonitorBody(request.body);
    if (body.target === undefined) throw badRequest({ target: ['required: the UUID of a table or column, or {warehouse, table, column}'] });
    const monitor = monitorFrom(deps, uuidv7(), body, await resolveTarget(deps, body.target));
    await nameFree(deps, monitor.name, monitor.id);
    await checkColumn(deps, monitor);
    await insertApiMonitor(deps.db, monitor, deps.clock.now());
    deps.changed?.();
    return reply.code(201).send(await show(monitor.id));
  });

  app.patch<{ Params: { id: string } }>('/monitor/monitors/:id', async (request) => {
    const id = pathId(request.params.id, 'monitor_id');
    const patch = parseMonitorBody(request.body);
    const record = await editable(deps, id);
    const merged = merge(bodyOf(record), patch);
    const monitor = monitorFrom(deps, id, merged, await resolveTarget(deps, merged.target!));
    await nameFree(deps, monitor.name, id);
    await checkColumn(deps, monitor);
    await updateApiMonitor(deps.db, monitor, JSON.stringify(monitor.schedule) !== record.monitor.schedule, deps.clock.now());
    deps.changed?.();
    return show(id);
  });

  app.delete<{ Params: { id: string } }>('/monitor/monitors/:id', async (request, reply) => {
    const id = pathId(request.params.id, 'monitor_id');
    await editable(deps, id);
    await deleteMonitor(deps.db, id);
    deps.changed?.();
    return reply.code(204).send();
  });
}
