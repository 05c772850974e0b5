import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { VigilError, messageOf } from '../domain/errors.js';
import { interpolateDocument, type Environment } from './interpolate.js';
import { resolveMonitors } from './monitors.js';
import { knownKeysAt } from './known-keys.js';
import { configSchema } from './schema.js';
import { formatIssue, sortIssues, type ConfigIssue, type ConfigSource } from './source.js';
import type { VigilConfig } from './types.js';
import { resolveStore, resolveWarehouses } from './warehouses.js';
import { fromZodIssues } from './zod-issues.js';

/** A config error that lists every problem, one `file:line:col path: message` a line. */
function invalid(source: ConfigSource, issues: readonly ConfigIssue[]): VigilError {
  const lines = sortIssues(source, issues).map((issue) => formatIssue(source, issue));
  const error = new VigilError('config_invalid', lines.join('\n'));
  return error;
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

  const interpolationIssues = interpolateDocument(doc, env);
  if (interpolationIssues.length > 0) throw invalid(source, interpolationIssues);

  const input: unknown = doc.toJS();
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw invalid(source, fromZodIssues(parsed.error.issues, input, knownKeysAt(input)));

  const { monitors, issues } = resolveMonitors(parsed.data);
  if (issues.length > 0) throw invalid(source, issues);

  const baseDir = dirname(resolve(file));
  return {
    file: resolve(file),
    store: resolveStore(parsed.data.store, baseDir),
    warehouses: resolveWarehouses(parsed.data, baseDir),
    monitors,
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
