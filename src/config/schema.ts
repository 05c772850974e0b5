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

const httpUrl = z
  .string()
  .refine((url) => /^https?:\/\//.test(url) && URL.canParse(url), { message: 'must be an http:// or https:// URL' });

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

function serverWarehouse<T extends 'postgres' | 'mysql' | 'redshift'>(type: T, protocols: readonly string[]) {
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

const snowflakeWarehouse = z
  .strictObject({
    type: z.literal('snowflake'),
    account: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9_.-]+$/, 'is the account identifier, e.g. myorg-myaccount or xy12345.eu-central-1 (not a URL)'),
    user: z.string().min(1),
    password: z.string().min(1).optional(),
    private_key_path: z.string().min(1).optional(),
    private_key_passphrase: z.string().min(1).optional(),
    role: z.string().min(1).optional(),
    warehouse: z.string().min(1).optional(),
    database: z.string().min(1).optional(),
    schema: z.string().min(1).optional(),
    query_tag: z.string().min(1).max(2000).default('vigil'),
    access_url: httpUrl.optional(),
    ...common,
  })
  .refine((w) => (w.password === undefined) !== (w.private_key_path === undefined), {
    message: 'needs password, or private_key_path for key-pair authentication (one of them)',
  })
  .refine((w) => w.private_key_passphrase === undefined || w.private_key_path !== undefined, {
    message: 'private_key_passphrase goes with private_key_path',
    path: ['private_key_passphrase'],
  });

/** BigQuery's label rules: lower-case keys and values of letters, digits, _ and -. */
const labelText = z.string().max(63).regex(/^[\p{Ll}\p{Lo}0-9_-]*$/u, 'is lower-case letters, digits, _ or - (BigQuery label rules)');

const bigqueryWarehouse = z.strictObject({
  type: z.literal('bigquery'),
  project: z.string().min(1).regex(/^[a-z][a-z0-9.:-]*[a-z0-9]$/, 'is a project id, e.g. my-project-123'),
  location: z.string().min(1).optional(),
  key_file: z.string().min(1).optional(),
  maximum_bytes_billed: numeric(z.number().int().min(1)).optional(),
  // On every job, to find Vigil's in INFORMATION_SCHEMA.JOBS and in the bill.
  labels: z.record(labelText.min(1), labelText).default({ app: 'vigil' }),
  api_endpoint: httpUrl.optional(),
  ...common,
});

export const warehouseSchema = z.discriminatedUnion('type', [
  serverWarehouse('postgres', ['postgres', 'postgresql']),
  serverWarehouse('mysql', ['mysql', 'mariadb']),
  serverWarehouse('redshift', ['redshift', 'postgres', 'postgresql']),
  fileWarehouse('sqlite'),
  duckdbWarehouse,
  snowflakeWarehouse,
  bigqueryWarehouse,
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

const channelName = z.string().min(1).max(100).optional();

export const notificationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('slack'), name: channelName, webhook_url: httpUrl }),
  z.strictObject({
    type: z.literal('webhook'),
    name: channelName,
    url: httpUrl,
    // Signs each body (X-Vigil-Signature: sha256=HMAC-SHA256(secret, body)).
    secret: z.string().min(16, 'a signing secret needs at least 16 characters').optional(),
    headers: z.record(z.string().min(1), z.string()).default({}),
  }),
  z.strictObject({
    type: z.literal('email'),
    name: channelName,
    from: z.string().min(3),
    to: z.union([z.string().min(3).transform((to) => [to]), z.array(z.string().min(3)).min(1)]),
    smtp: z.strictObject({
      host: z.string().min(1),
      port: numeric(z.number().int().min(1).max(65_535)).default(587),
      // true: TLS from the first byte (port 465); false: STARTTLS when the server offers it.
      secure: boolean().default(false),
      user: z.string().optional(),
      password: z.string().optional(),
      reject_unauthorized: boolean().default(true),
    }),
  }),
]);

export const apiSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  // 0 picks a free port (tests); the chosen one is logged.
  port: numeric(z.number().int().min(0).max(65_535)).default(8080),
  // Writes (POST, PUT, PATCH, DELETE) a minute per API key; past it the API answers 429.
  write_rate_limit_per_minute: numeric(z.number().int().min(1).max(100_000)).default(30),
});

export const daemonSchema = z.strictObject({
  // On SIGTERM/SIGINT, runs in flight get this long to finish before the process exits.
  shutdown_grace_seconds: numeric(z.number().min(0).max(3600)).default(30),
  // A transient warehouse failure (network, timeout) is tried again this many times, with backoff.
  retries: numeric(z.number().int().min(0).max(10)).default(2),
});

export const configSchema = z.strictObject({
  store: z
    .string()
    .refine((s) => /^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(s), {
      message: 'expected sqlite:PATH (e.g. sqlite:./vigil.db) or a postgres:// URL',
    })
    .default('sqlite:./vigil.db'),
  warehouses: z.record(warehouseNameSchema, warehouseSchema),
  monitors: z.array(monitorSchema).default([]),
  notifications: z
    .array(notificationSchema)
    .superRefine((channels, ctx) => {
      // Pending notifications are kept under their channel's name, so a name must not shift
      // when the list changes: several channels of one type each need their own.
      const names = new Map<string, number>();
      channels.forEach((c, i) => {
        const several = channels.filter((o) => o.type === c.type).length > 1;
        if (c.name === undefined && several) {
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `there are several ${c.type} channels: give each a name` });
        }
        const name = c.name ?? c.type;
        const first = names.get(name);
        if (first !== undefined && c.name !== undefined) {
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `the name ${JSON.stringify(name)} is already used by notifications[${first}]` });
        }
        if (first === undefined) names.set(name, i);
      });
    })
    .default([]),
  // Where people reach Vigil (for links in notifications), e.g. https://vigil.example.com
  public_url: httpUrl.optional(),
  api: apiSchema.default({ host: '127.0.0.1', port: 8080, write_rate_limit_per_minute: 30 }),
  daemon: daemonSchema.default({ shutdown_grace_seconds: 30, retries: 2 }),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawMonitor = z.infer<typeof monitorSchema>;
export type RawWarehouse = z.infer<typeof warehouseSchema>;
export type RawSchedule = z.infer<typeof scheduleSchema>;
export type RawNotification = z.infer<typeof notificationSchema>;
