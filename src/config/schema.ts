import { z } from 'zod';
import { CADENCES } from '../domain/schedule.js';
import { CONDITION_BOUNDS } from '../domain/monitor.js';

/**
 * The shape of vigil.yaml. Objects are strict, so a misspelt key is an error rather than
 * a setting that silently does nothing. Cross-field rules live in validate-monitors.ts.
 */

/**
 * Environment variables are text, so a field that takes a number or a boolean also takes
 * text that spells one: `port: ${PG_PORT}` works, and a password stays the string it is.
 */
function numeric<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => {
    if (typeof value !== 'string' || value.trim() === '') return value;
    const number = Number(value);
    return Number.isFinite(number) ? number : value;
  }, schema);
}

function boolean() {
  return z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());
}

const identifier = z
  .string()
  .min(1, 'must not be empty')
  .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character');

const positiveSeconds = numeric(z.number().positive().max(86_400));

const common = {
  max_concurrency: numeric(z.number().int().min(1).max(256)).optional(),
  query_timeout_seconds: positiveSeconds.default(300),
  connect_timeout_seconds: positiveSeconds.default(10),
};

const ssl = z.union([
  boolean(),
  z.strictObject({ reject_unauthorized: boolean().optional(), ca: z.string().optional() }),
]);

function serverWarehouse<T extends 'postgres' | 'mysql'>(type: T, protocols: readonly string[]) {
  return z
    .strictObject({
      type: z.literal(type),
      url: z
        .string()
        .refine((url) => protocols.some((p) => url.startsWith(`${p}://`)), {
          message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
          abort: true,
        })
        .refine((url) => URL.canParse(url), { message: 'is not a valid URL (special characters in a password must be percent-encoded)' })
        .optional(),
      host: z.string().min(1).optional(),
      port: numeric(z.number().int().min(1).max(65_535)).optional(),
      user: z.string().optional(),
      password: z.string().optional(),
      database: z.string().optional(),
      ssl: ssl.optional(),
      query_tag: z.string().min(1).max(63).default('vigil'),
      ...common,
    })
    .refine((w) => w.url !== undefined || w.host !== undefined, {
      message: 'needs url, or host (with port, user, password, database)',
    });
}

function fileWarehouse<T extends 'sqlite' | 'duckdb'>(type: T) {
  return z.strictObject({
    type: z.literal(type),
    path: z.string().min(1),
    seed: z.string().min(1).optional(),
    ...common,
  });
}

const duckdbWarehouse = fileWarehouse('duckdb').extend({
  // Off by default: a query could otherwise read any file the Vigil process can.
  external_access: boolean().default(false),
});

export const warehouseSchema = z.discriminatedUnion('type', [
  serverWarehouse('postgres', ['postgres', 'postgresql']),
  serverWarehouse('mysql', ['mysql', 'mariadb']),
  fileWarehouse('sqlite'),
  duckdbWarehouse,
]);

export const scheduleSchema = z.strictObject({
  cadence: z.enum(CADENCES).optional(),
  frequency: numeric(z.number().int().min(1).max(1000)).optional(),
  day: numeric(z.number().int().min(0).max(31)).optional(),
  hour: numeric(z.number().int().min(0).max(23)).optional(),
  cron: z.string().min(1).optional(),
  timezone: z.string().min(1).optional(),
});

export const conditionSchema = z.strictObject({
  sensitivity: numeric(z.number().int().min(1).max(10).nullable()).optional(),
  min: numeric(z.number().nullable()).optional(),
  max: numeric(z.number().nullable()).optional(),
  bounds: z.enum(CONDITION_BOUNDS).optional(),
});

export const metricConfigSchema = z.strictObject({
  where: z.string().min(1).optional(),
  timestamp_column: identifier.optional(),
  query_select: z.string().min(1).optional(),
});

export const tablePathSchema = z.union([z.string().min(1), z.array(identifier).min(1).max(3)]);

export const monitorSchema = z.strictObject({
  name: z.string().min(1).max(255).optional(),
  id: z.uuid().optional(),
  warehouse: z.string().min(1),
  table: tablePathSchema.optional(),
  column: identifier.optional(),
  metric_type: z.string().min(1),
  metric_config: metricConfigSchema.optional(),
  schedule: scheduleSchema.optional(),
  condition: conditionSchema.optional(),
  enabled: boolean().default(true),
});

export const warehouseNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/, 'a warehouse name is a letter or _ then letters, digits, _ or -');

export const configSchema = z.strictObject({
  store: z
    .string()
    .refine((s) => /^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(s), {
      message: 'expected sqlite:PATH (e.g. sqlite:./vigil.db) or a postgres:// URL',
    })
    .default('sqlite:./vigil.db'),
  warehouses: z.record(warehouseNameSchema, warehouseSchema),
  monitors: z.array(monitorSchema).default([]),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawMonitor = z.infer<typeof monitorSchema>;
export type RawWarehouse = z.infer<typeof warehouseSchema>;
export type RawSchedule = z.infer<typeof scheduleSchema>;
