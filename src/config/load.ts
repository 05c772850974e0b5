import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { WAREHOUSE_TYPES, type WarehouseType } from '../domain/connector.js';
import { VigilError, messageOf } from '../domain/errors.js';
import { interpolateDocument, type Environment } from './interpolate.js';
import { resolveMonitors } from './monitors.js';
import { knownKeysAt } from './known-keys.js';
import { configSchema, monitorSchema, type RawMonitor } from './schema.js';
import { formatIssue, sortIssues, type ConfigIssue, type ConfigPath, type ConfigSource } from './source.js';
import type { VigilConfig } from './types.js';
import { resolveChannels } from './notifications.js';
import { resolveStore, resolveWarehouses } from './warehouses.js';
import { fromZodIssues } from './zod-issues.js';

/** A config error that lists every problem, one `file:line:col path: message` a line. */
function invalid(source: ConfigSource, issues: readonly ConfigIssue[]): VigilError {
  const lines = sortIssues(source, issues).map((issue) => formatIssue(source, issue));
  const error = new VigilError('config_invalid', lines.join('\n'));
  return error;
}

/** One path lies on the other: a problem at either is about the same value. */
function overlaps(a: ConfigPath, b: ConfigPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}

/** The monitors that parse on their own, at their positions, when the whole file does not. */
function parsedParts(input: unknown): { monitors: Array<RawMonitor | undefined> } {
  const raw = (input as { monitors?: unknown } | null)?.monitors;
  if (!Array.isArray(raw)) return { monitors: [] };
  return { monitors: raw.map((m) => { const r = monitorSchema.safeParse(m); return r.success ? r.data : undefined; }) };
}

/** Every warehouse name the file declares, with its type when that is a known one. */
function warehouseTypes(input: unknown): Map<string, WarehouseType | undefined> {
  const raw = (input as { warehouses?: unknown } | null)?.warehouses;
  const out = new Map<string, WarehouseType | undefined>();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [name, w] of Object.entries(raw as Record<string, unknown>)) {
    const type = (w as { type?: unknown } | null)?.type;
    out.set(name, (WAREHOUSE_TYPES as readonly unknown[]).includes(type) ? (type as WarehouseType) : undefined);
  }
  return out;
}

/** Parses and validates config text; `displayName` is how messages name the file. */
export function parseConfig(text: string, file: string, env: Environment, displayName = file): VigilConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const source: ConfigSource = { displayName, doc, lineCounter };
  if (doc.errors.length > 0) {
    // YAML errors cascade: the first is the one to fix; the rest mostly follow from it.
    const first = doc.errors[0]!;
    const { line, col } = lineCounter.linePos(first.pos[0]);
    const rest = doc.errors.length - 1;
    const more = rest > 0 ? ` (and ${rest} more YAML error${rest === 1 ? '' : 's'} after it)` : '';
    const hint = /flow[- ](map|seq)/i.test(first.message) ? '; a value holding { or ${...} inside { } needs quotes' : '';
    throw new VigilError('config_invalid', `${displayName}:${line}:${col} invalid YAML: ${first.message.split('\n')[0]}${hint}${more}`);
  }
  if (doc.contents === null) throw new VigilError('config_invalid', `${displayName}:1:1 the file is empty: it needs warehouses and monitors`);

  // Every check runs, so all problems come back at once; a value whose variable is missing
  // is reported once, as missing, not again as whatever its placeholder text breaks.
  const interpolationIssues = interpolateDocument(doc, env);
  const unread = (issue: ConfigIssue) => interpolationIssues.some((i) => overlaps(i.path, issue.path));
  const input: unknown = doc.toJS();
  const parsed = configSchema.safeParse(input);
  const schemaIssues = parsed.success ? [] : fromZodIssues(parsed.error.issues, input, knownKeysAt(input));
  const parts = parsed.success ? parsed.data : parsedParts(input);
  const { monitors, issues: ruleIssues } = resolveMonitors(parts.monitors, warehouseTypes(input));
  const issues = [...interpolationIssues, ...[...schemaIssues, ...ruleIssues].filter((issue) => !unread(issue))];
  if (issues.length > 0 || !parsed.success) throw invalid(source, issues);

  const baseDir = dirname(resolve(file));
  return {
    file: resolve(file),
    store: resolveStore(parsed.data.store, baseDir),
    warehouses: resolveWarehouses(parsed.data, baseDir),
    monitors,
    notifications: resolveChannels(parsed.data.notifications),
    publicUrl: parsed.data.public_url === undefined ? null : parsed.data.public_url.replace(/\/+$/, ''),
    api: {
      host: parsed.data.api.host,
      port: parsed.data.api.port,
      writeRateLimitPerMinute: parsed.data.api.write_rate_limit_per_minute,
    },
    daemon: { shutdownGraceSeconds: parsed.data.daemon.shutdown_grace_seconds, retries: parsed.data.daemon.retries },
  };
}

/** Reads, interpolates (from `env`, the process environment by default) and validates a config file. */
export function loadConfig(file: string, env: Environment = process.env): VigilConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'no such file' : messageOf(error);
    throw new VigilError('config_not_found', `${file}: cannot read the config file: ${reason}`, { cause: error });
  }
  return parseConfig(text, file, env);
}
