import { datesItsTables, dialectFor } from '../../connectors/registry.js';
import { integrationId, targetId, yamlMonitorId } from '../domain/ids.js';
import { METRIC_LABEL, METRIC_TYPES, normaliseMetricType, type MetricConfig } from '../domain/metric.js';
import { defaultMonitorName, type Monitor } from '../domain/monitor.js';
import { unrunnableCron } from '../scheduler/cron-frequency.js';
import { checkTargetShape, resolveCondition, resolveSchedule, type Problem } from '../domain/rules.js';
import { DEFAULT_SCHEDULE } from '../domain/schedule.js';
import { parseTablePath, tablePartsProblem } from '../domain/table-path.js';
import type { WarehouseType } from '../domain/connector.js';
import type { RawMonitor } from './schema.js';
import type { ConfigIssue, ConfigPath } from './source.js';
import { suggestion } from './zod-issues.js';

function issuesAt(base: ConfigPath, problems: readonly Problem[]): ConfigIssue[] {
  return problems.map((p) => ({ path: [...base, ...p.field], message: p.message }));
}

/**
 * Checks every monitor against the warehouses and the monitor rules, and builds the
 * monitors with their stable ids. Returns every issue found, not only the first.
 */
export function resolveMonitors(
  rawMonitors: ReadonlyArray<RawMonitor | undefined>,
  warehouses: ReadonlyMap<string, WarehouseType | undefined>,
): { monitors: Monitor[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const monitors: Monitor[] = [];
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  const warehouseNames = [...warehouses.keys()];

  rawMonitors.forEach((m, index) => {
    if (m === undefined) return; // it did not parse; its own issues say why
    const at = (...field: Array<string | number>): ConfigPath => ['monitors', index, ...field];
    const before = issues.length;

    const known = warehouses.has(m.warehouse);
    const warehouse = known ? { type: warehouses.get(m.warehouse) } : undefined;
    if (!known) {
      const known = warehouseNames.length === 0 ? 'none are configured' : `configured: ${warehouseNames.join(', ')}`;
      issues.push({ path: at('warehouse'), message: `unknown warehouse ${JSON.stringify(m.warehouse)}${suggestion(m.warehouse, warehouseNames)}; ${known}` });
    }

    const metricType = normaliseMetricType(m.metric_type);
    if (metricType === undefined) {
      issues.push({ path: at('metric_type'), message: `expected one of ${METRIC_TYPES.join(', ')}, got ${JSON.stringify(m.metric_type)}${suggestion(m.metric_type, METRIC_TYPES)}` });
    }

    let table: string[] | null = null;
    if (m.table !== undefined) {
      const parsed = typeof m.table === 'string' ? parseTablePath(m.table) : { parts: m.table };
      if ('error' in parsed) issues.push({ path: at('table'), message: parsed.error });
      else table = parsed.parts;
      const problem = table === null || warehouse?.type === undefined ? undefined : tablePartsProblem(warehouse.type, table, dialectFor(warehouse.type));
      if (problem !== undefined) issues.push({ path: at('table'), message: problem });
    }

    const metricConfig: MetricConfig = { ...(m.metric_config ?? {}) };
    if (metricType === undefined) return;
    issues.push(
      ...issuesAt(at(), checkTargetShape({ metricType, hasTable: m.table !== undefined, column: m.column, metricConfig, metadataFreshness: datesItsTables(warehouse?.type) })),
    );
    if (metricType === 'custom_sql' && m.name === undefined) {
      issues.push({ path: at(), message: 'a custom_sql monitor needs a name' });
    }
    const condition = resolveCondition(m.condition ?? {}, metricType);
    if (!condition.ok) issues.push(...issuesAt(at('condition'), condition.problems));
    const schedule = m.schedule === undefined ? { ok: true as const, value: DEFAULT_SCHEDULE } : resolveSchedule(m.schedule);
    if (!schedule.ok) issues.push(...issuesAt(at('schedule'), schedule.problems));
    else {
      const unrunnable = unrunnableCron(schedule.value);
      if (unrunnable !== undefined) issues.push({ path: at('schedule', 'cron'), message: unrunnable });
    }

    // A default name needs a readable table; without one the table's error says enough.
    const tableUnreadable = m.table !== undefined && table === null;
    const name = m.name ?? defaultMonitorName(METRIC_LABEL[metricType], m.warehouse, table, m.column ?? null);
    let nameClash = false;
    if (!tableUnreadable) {
      const sameName = names.get(name);
      nameClash = sameName !== undefined;
      if (sameName !== undefined) {
        issues.push({ path: m.name === undefined ? at() : at('name'), message: `monitor name ${JSON.stringify(name)} is already used by monitors[${sameName}]; names must be unique` });
      } else {
        names.set(name, index);
      }
    }
    const id = m.id ?? yamlMonitorId(name);
    const sameId = ids.get(id);
    // Equal names give equal derived ids: the name clash has been said already.
    if (sameId !== undefined && !tableUnreadable && !(nameClash && m.id === undefined)) {
      const what = m.id === undefined ? `the id derived from the name ${JSON.stringify(name)}` : `id ${id}`;
      issues.push({ path: m.id === undefined ? at('name') : at('id'), message: `${what} is already used by monitors[${sameId}]` });
    } else if (sameId === undefined) {
      ids.set(id, index);
    }

    if (issues.length > before || !condition.ok || !schedule.ok || warehouse === undefined) return;
    const integration = integrationId(m.warehouse);
    monitors.push({
      id,
      name,
      warehouse: m.warehouse,
      integrationId: integration,
      targetId: targetId(integration, table, m.column ?? null),
      table,
      column: m.column ?? null,
      metricType,
      metricConfig,
      schedule: schedule.value,
      condition: condition.value,
      isEnabled: m.enabled,
      source: 'yaml',
    });
  });
  return { monitors, issues };
}
