import { z } from 'zod';
import { INCIDENT_STATUSES } from '../domain/incident.js';
import { METRIC_TYPES } from '../domain/metric.js';
import { MONITOR_STATUSES } from '../domain/monitor.js';
import { UUID_PATTERN } from '../domain/ids.js';
import { badRequest } from './http-errors.js';
import { FieldErrors, shown } from './request.js';
import { MAX_PAGE_SIZE } from './pagination.js';

/**
 * The schemas of what clients send: each validates its requests and is what /openapi.json
 * says about them, so the two cannot drift apart. Query values arrive as text.
 */


/** Repeated query parameters arrive as arrays: each parameter is given once. */
const once = (input: unknown) => `must be given once, got ${(input as unknown[]).length} values`;
const text = (check: z.ZodString, message: (input: unknown) => string) =>
  z.string({ error: (issue) => (Array.isArray(issue.input) ? once(issue.input) : message(issue.input)) }).pipe(check);

const id = (what: string) => text(z.string().regex(UUID_PATTERN, { error: (i) => `must be a UUID, got ${shown(i.input)}` }), (input) => `must be a UUID, got ${shown(input)}`).describe(what);

const choice = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: (issue) => (Array.isArray(issue.input) ? once(issue.input) : `must be one of ${values.join(', ')}, got ${shown(issue.input)}`) }).describe(what);

const bool = (what: string) =>
  z.enum(['true', 'false', '1', '0'], { error: (issue) => (Array.isArray(issue.input) ? once(issue.input) : `must be true or false, got ${shown(issue.input)}`) }).describe(what);

/** An ISO-8601 time with a zone, or a date (UTC midnight); out comes ISO UTC text. */
const time = (what: string) =>
  text(
    z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i, {
      error: (i) => `must be an ISO-8601 time with a zone, e.g. 2026-11-28T12:00:00Z, got ${shown(i.input)}`,
    }),
    (input) => `must be an ISO-8601 time, got ${shown(input)}`,
  )
    .transform((value, ctx) => {
      const at = Date.parse(/T/i.test(value) ? value : `${value}T00:00:00Z`);
      // Date.parse takes 2026-02-30 as 2 March: the day must be one the month has.
      const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
      const real = new Date(Date.UTC(year, month - 1, day));
      if (!Number.isNaN(at) && real.getUTCMonth() === month - 1 && real.getUTCDate() === day) return new Date(at).toISOString();
      ctx.issues.push({ code: 'custom', message: `is not a real time: ${shown(value)}`, input: value });
      return z.NEVER;
    })
    .describe(what);

const whole = (max: number | null, what: string) => {
  const range = max === null ? 'of at least 1' : `from 1 to ${max}`;
  const message = (input: unknown) => `must be a whole number ${range}, got ${shown(input)}`;
  return text(
    z.string().regex(/^[0-9]+$/, { error: (i) => message(i.input), abort: true }).refine((v) => {
      const n = Number(v);
      return Number.isSafeInteger(n) && n >= 1 && (max === null || n <= max);
    }, { error: (i) => message(i.input) }),
    message,
  ).describe(what);
};

export const pagingQuery = {
  page: whole(null, 'the page, from 1').optional(),
  page_size: whole(MAX_PAGE_SIZE, `results a page: 50 by default, at most ${MAX_PAGE_SIZE}`).optional(),
};

export const monitorListQuery = z.object({
  status: choice(MONITOR_STATUSES, 'only monitors in this status').optional(),
  metric_type: choice(METRIC_TYPES, 'only monitors of this metric').optional(),
  target: id('only monitors of this table or column').optional(),
  integration: id('only monitors of this warehouse').optional(),
  is_enabled: bool('only enabled (true) or disabled (false) monitors').optional(),
  ...pagingQuery,
});

export const incidentListQuery = z.object({
  status: choice(INCIDENT_STATUSES, 'only incidents in this status').optional(),
  monitor: id('only incidents of this monitor').optional(),
  ...pagingQuery,
});

export const measurementListQuery = z
  .object({
    monitor: id('the monitor whose measurements to list (this or incident_id is required)').optional(),
    incident_id: id('the incident whose measurements to list').optional(),
    from: time('only measurements taken at or after this time').optional(),
    to: time('only measurements taken at or before this time').optional(),
    ...pagingQuery,
  })
  .refine((q) => q.monitor !== undefined || q.incident_id !== undefined, {
    path: ['monitor'],
    error: 'give monitor or incident_id: measurements are listed per monitor or per incident',
  });

export const runBody = z.strictObject({
  monitors: z.array(id('a monitor id')).min(1, { error: 'required: a list of monitor ids' }).max(1000, { error: 'at most 1000 monitors a run' }),
});

/** Per-field messages from a schema's issues (an unknown field is named as such). */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): Record<string, string[]> {
  const errors = new FieldErrors();
  errors.addIssues(issues);
  return errors.body;
}

/** Validates with a schema; a 400 with every problem, per field, otherwise. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw badRequest(fieldErrors(parsed.error.issues));
  return parsed.data;
}
