import { integrationId, targetId } from '../../src/domain/ids.js';
import type { MetricConfig, MetricType } from '../../src/domain/metric.js';
import type { Condition, Monitor } from '../../src/domain/monitor.js';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';

export interface MonitorSketch {
  name?: string;
  warehouse?: string;
  table?: readonly string[] | null;
  column?: string | null;
  metricType: MetricType;
  metricConfig?: MetricConfig;
  condition?: Partial<Condition>;
}

let counter = 0;

/** A monitor for engine-level tests, with everything but the metric defaulted. */
export function monitor(sketch: MonitorSketch): Monitor {
  counter += 1;
  const warehouse = sketch.warehouse ?? 'wh';
  const table = sketch.table === undefined ? ['items'] : sketch.table;
  const column = sketch.column ?? null;
  const integration = integrationId(warehouse);
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    name: sketch.name ?? `monitor ${counter}`,
    warehouse,
    integrationId: integration,
    targetId: targetId(integration, table, column),
    table,
    column,
    metricType: sketch.metricType,
    metricConfig: sketch.metricConfig ?? {},
    schedule: DEFAULT_SCHEDULE,
    condition: { sensitivity: null, min: null, max: null, bounds: 'both', ...sketch.condition },
    isEnabled: true,
    source: 'yaml',
  };
}
