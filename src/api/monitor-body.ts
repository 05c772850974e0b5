import { z } from 'zod';
import { CONDITION_BOUNDS, type Condition, type ConditionBounds } from '../domain/monitor.js';
import { METRIC_TYPES, normaliseMetricType, type MetricConfig, type MetricType } from '../domain/metric.js';
import { checkTargetShape, resolveCondition, resolveSchedule, type Problem } from '../domain/rules.js';
import { DEFAULT_SCHEDULE, type Schedule } from '../domain/schedule.js';
import { unrunnableCron } from '../scheduler/cron-frequency.js';
import { metricConfigSchema, scheduleSchema, tablePathSchema } from '../config/schema.js';
import { badRequest } from './http-errors.js';
import { FieldErrors } from './request.js';
import { parseWith } from './schemas.js';

/**
 * The body of POST /monitor/monitors and PATCH /monitor/monitors/{id}: the reference's
 * fields, and `name` and `condition_bounds`. `target` is the UUID of a table or column Vigil
 * knows, or `{warehouse, table, column}`.
 */
const targetSchema = z.union([
  z.uuid(),
  z.strictObject({ warehouse: z.string().min(1), table: tablePathSchema.optional(), column: z.string().min(1).optional() }),
]);

export const monitorBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(255).optional(),
  target: targetSchema.optional(),
  metric_type: z.string().min(1).optional(),
  metric_config: metricConfigSchema.optional(),
  is_enabled: z.boolean().optional(),
  condition_auto_sensitivity: z.number().int().min(1).max(10).nullable().optional(),
  condition_manual_min: z.number().nullable().optional(),
  condition_manual_max: z.number().nullable().optional(),
  condition_bounds: z.enum(CONDITION_BOUNDS).optional(),
  schedule: scheduleSchema.optional(),
});

export type MonitorBody = z.infer<typeof monitorBodySchema>;
export type TargetRef = z.infer<typeof targetSchema>;

/** Field names of the rules' problems, as the API calls them. */
const CONDITION_FIELDS: Readonly<Record<string, string>> = {
  sensitivity: 'condition_auto_sensitivity',
  min: 'condition_manual_min',
  max: 'condition_manual_max',
  bounds: 'condition_bounds',
};

function fieldOf(problem: Problem, base: string): string {
  return [base, ...problem.field.map(String)].filter((part) => part !== '').join('.');
}

/** Parses a JSON body: per-field messages for what does not fit (unknown fields too). */
export function parseMonitorBody(body: unknown): MonitorBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest({ non_field_errors: ['the body must be a JSON object'] });
  return parseWith(monitorBodySchema, body);
}

/** What a monitor's definition is made of, checked by the same rules as the YAML config. */
export interface MonitorDefinition {
  metricType: MetricType;
  metricConfig: MetricConfig;
  condition: Condition;
  schedule: Schedule;
}

/**
 * Checks a (merged) body against the monitor rules for its target's shape; throws a 400
 * with every problem. `target` says whether the target has a table and which column.
 */
export function checkDefinition(body: MonitorBody, target: { hasTable: boolean; column: string | null; metadataFreshness?: boolean }): MonitorDefinition {
  const errors = new FieldErrors();
  const metricType = body.metric_type === undefined ? undefined : normaliseMetricType(body.metric_type);
  if (body.metric_type === undefined) errors.add('metric_type', 'required');
  else if (metricType === undefined) errors.add('metric_type', `expected one of ${METRIC_TYPES.join(', ')}, got ${JSON.stringify(body.metric_type)}`);
  const metricConfig: MetricConfig = { ...(body.metric_config ?? {}) };
  let condition: Condition | undefined;
  if (metricType !== undefined) {
    for (const problem of checkTargetShape({ metricType, hasTable: target.hasTable, column: target.column ?? undefined, metricConfig, metadataFreshness: target.metadataFreshness })) {
      const field = problem.field[0] === 'metric_config' ? fieldOf(problem, '') : 'target';
      errors.add(field, problem.field[0] === 'table' ? `${problem.message}: give a table or column target` : problem.message);
    }
    const resolved = resolveCondition(
      { sensitivity: body.condition_auto_sensitivity, min: body.condition_manual_min, max: body.condition_manual_max, bounds: body.condition_bounds as ConditionBounds | undefined },
      metricType,
    );
    if (resolved.ok) condition = resolved.value;
    else for (const problem of resolved.problems) errors.add(CONDITION_FIELDS[String(problem.field[0])] ?? 'condition', problem.message);
  }
  let schedule: Schedule | undefined = DEFAULT_SCHEDULE;
  if (body.schedule !== undefined) {
    const resolved = resolveSchedule(body.schedule);
    if (!resolved.ok) {
      schedule = undefined;
      for (const problem of resolved.problems) errors.add(fieldOf(problem, 'schedule'), problem.message);
    } else {
      schedule = resolved.value;
      const unrunnable = unrunnableCron(schedule);
      if (unrunnable !== undefined) errors.add('schedule.cron', unrunnable);
    }
  }
  errors.throwIfAny();
  return { metricType: metricType!, metricConfig, condition: condition!, schedule: schedule! };
}
