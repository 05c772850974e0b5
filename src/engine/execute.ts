import { PROBE_SUFFIX, type BatchItem, type Connector, type Dialect } from '../domain/connector.js';
import { VigilError, messageOf } from '../domain/errors.js';
import type { MetricSpec } from '../domain/metric.js';
import { describeTarget, formatTablePath, type Monitor } from '../domain/monitor.js';
import { checkProbe, singleCell, toMeasurementValue } from './normalise.js';
import type { BatchUnit, CustomUnit, MetadataUnit, WorkUnit } from './plan.js';

/** What one monitor's run produced: a value (null when there were no rows), or an error. */
export type Outcome =
  | { monitor: Monitor; ok: true; value: number | null }
  | { monitor: Monitor; ok: false; error: VigilError };

function specOf(monitor: Monitor): MetricSpec {
  if (monitor.metricType === 'custom_sql') throw new Error('custom_sql is not a batch metric');
  return {
    metricType: monitor.metricType,
    column: monitor.column ?? undefined,
    where: monitor.metricConfig.where,
    timestampColumn: monitor.metricConfig.timestamp_column,
  };
}

function failed(monitor: Monitor, error: unknown): Outcome {
  const vigil = error instanceof VigilError ? error : new VigilError('warehouse', messageOf(error), { kind: 'sql', cause: error });
  return { monitor, ok: false, error: vigil };
}

function resultError(monitor: Monitor, message: string): Outcome {
  return failed(monitor, new VigilError('metric_result', `${describeTarget(monitor)}: ${message}`));
}

async function runBatch(unit: BatchUnit, connector: Connector, dialect: Dialect): Promise<Outcome[]> {
  const items: BatchItem[] = unit.monitors.map((monitor, i) => ({ alias: `m${i}`, spec: specOf(monitor) }));
  let sql: string;
  try {
    sql = dialect.batchQuery(unit.table, items);
  } catch (error) {
    return unit.monitors.map((m) => failed(m, new VigilError('invalid_argument', messageOf(error), { cause: error })));
  }
  let result;
  try {
    result = await connector.query(sql);
  } catch (error) {
    // One bad column must not fail the table's other monitors: find which one it was.
    if (error instanceof VigilError && error.kind === 'sql' && unit.monitors.length > 1) {
      const outcomes: Outcome[] = [];
      for (const monitor of unit.monitors) {
        outcomes.push(...(await runBatch({ ...unit, monitors: [monitor] }, connector, dialect)));
      }
      return outcomes;
    }
    return unit.monitors.map((m) => failed(m, error));
  }
  const row = result.rows[0];
  return unit.monitors.map((monitor, i) => {
    const column = result.columns.indexOf(items[i]!.alias);
    if (row === undefined || column === -1) return resultError(monitor, 'the metric query returned no value');
    const value = toMeasurementValue(row[column] ?? null, monitor.metricType);
    if (!value.ok) return resultError(monitor, value.message);
    const probeColumn = result.columns.indexOf(items[i]!.alias + PROBE_SUFFIX);
    const measured = monitor.metricType === 'freshness' ? monitor.metricConfig.timestamp_column : monitor.column;
    const misread = probeColumn === -1 ? undefined : checkProbe(monitor.metricType, value.value, row[probeColumn], measured ?? '');
    return misread === undefined ? { monitor, ok: true, value: value.value } : resultError(monitor, misread);
  });
}

async function runCustom(unit: CustomUnit, connector: Connector, dialect: Dialect): Promise<Outcome[]> {
  const { monitor } = unit;
  const query = monitor.metricConfig.query_select;
  if (query === undefined) return [resultError(monitor, 'custom_sql needs metric_config.query_select')];
  try {
    const result = await connector.queryReadOnly(dialect.customQuery(query));
    const cell = singleCell(result);
    if (!cell.ok) return [resultError(monitor, cell.message)];
    const value = toMeasurementValue(cell.cell, monitor.metricType);
    return [value.ok ? { monitor, ok: true, value: value.value } : resultError(monitor, value.message)];
  } catch (error) {
    return [failed(monitor, error)];
  }
}

async function runMetadata(unit: MetadataUnit, connector: Connector, dialect: Dialect): Promise<Outcome[]> {
  const { monitor } = unit;
  if (dialect.metadataFreshnessQuery === undefined) {
    return [resultError(monitor, `freshness needs metric_config.timestamp_column on ${dialect.type}: it keeps no record of when a table changed`)];
  }
  try {
    const result = await connector.query(dialect.metadataFreshnessQuery(unit.table));
    if (result.rows.length === 0) {
      return [failed(monitor, new VigilError('warehouse', `warehouse ${monitor.warehouse} (${dialect.type}): no table ${formatTablePath(unit.table)} in its metadata, or the role may not see it`, { kind: 'sql' }))];
    }
    const value = toMeasurementValue(result.rows[0]![0] ?? null, monitor.metricType);
    return [value.ok ? { monitor, ok: true, value: value.value } : resultError(monitor, value.message)];
  } catch (error) {
    return [failed(monitor, error)];
  }
}

/** Runs one unit of work on its warehouse; never throws: failures become outcomes. */
export function executeUnit(unit: WorkUnit, connector: Connector, dialect: Dialect): Promise<Outcome[]> {
  switch (unit.kind) {
    case 'batch':
      return runBatch(unit, connector, dialect);
    case 'custom':
      return runCustom(unit, connector, dialect);
    case 'metadata':
      return runMetadata(unit, connector, dialect);
  }
}

/** The monitors a unit covers. */
export function monitorsOf(unit: WorkUnit): Monitor[] {
  return unit.kind === 'batch' ? unit.monitors : [unit.monitor];
}
