import { dialectFor, openConnector } from '../../connectors/registry.js';
import { loadConfig } from '../config/load.js';
import { suggestion } from '../config/zod-issues.js';
import type { Connector } from '../domain/connector.js';
import { VigilError, messageOf } from '../domain/errors.js';
import { formatTablePath } from '../domain/monitor.js';
import type { Warehouse } from '../domain/warehouse.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';

/** The three things that must hold before a warehouse can be monitored, in the order they can fail. */
export const STEPS = ['reachable', 'credentials', 'permissions'] as const;
export type Step = (typeof STEPS)[number];

export type StepResult = { step: Step; ok: true; detail: string } | { step: Step; ok: false; detail: string } | { step: Step; ok: null };

/** Which step a failure to connect and run `SELECT 1` belongs to, by its kind. */
export function stepOf(error: unknown): Step {
  const kind = error instanceof VigilError ? error.kind : undefined;
  if (kind === 'auth') return 'credentials';
  if (kind === 'permission' || kind === 'sql') return 'permissions';
  return 'reachable';
}

/** Results for every step: those before the failed one passed, those after were not checked. */
export function afterFailure(failed: Step, detail: string): StepResult[] {
  const at = STEPS.indexOf(failed);
  return STEPS.map((step, i) => (i < at ? { step, ok: true, detail: 'ok' } : i === at ? { step, ok: false, detail } : { step, ok: null }));
}

export function renderReport(title: string, results: readonly StepResult[]): string {
  const lines = results.map((r) => `  ${r.step.padEnd(12)} ${r.ok === null ? 'not checked' : r.ok ? r.detail : `FAILED: ${r.detail}`}`);
  return `${title}\n${lines.join('\n')}\n`;
}

/** Every table the config's monitors read on this warehouse, once each. */
function tablesOf(config: ReturnType<typeof loadConfig>, warehouse: string): string[][] {
  const seen = new Map<string, string[]>();
  for (const m of config.monitors) {
    if (m.warehouse === warehouse && m.table !== null) seen.set(JSON.stringify(m.table), [...m.table]);
  }
  return [...seen.values()];
}

/** Reads each table with a query that returns no rows, so the grants are checked but nothing is scanned. */
async function checkTables(connector: Connector, warehouse: Warehouse, tables: readonly string[][]): Promise<StepResult> {
  if (tables.length === 0) return { step: 'permissions', ok: true, detail: 'ok (no monitor reads a table here yet; only SELECT 1 was checked)' };
  const dialect = dialectFor(warehouse.config.type);
  const failures: string[] = [];
  for (const table of tables) {
    try {
      await connector.query(`SELECT 1 AS ok FROM ${dialect.tableName(table)} WHERE 1 = 0`);
    } catch (error) {
      failures.push(`${formatTablePath(table)}: ${messageOf(error)}`);
    }
  }
  if (failures.length === 0) return { step: 'permissions', ok: true, detail: `ok: every table its monitors read (${tables.length}) can be queried` };
  return { step: 'permissions', ok: false, detail: `${failures.length} of ${tables.length} tables cannot be queried:\n    ${failures.join('\n    ')}` };
}

/**
 * `vigil test-connection WAREHOUSE`: can Vigil reach it, do the credentials hold, and may
 * it read every table its monitors name? Says which of these failed; exits 0 when all hold.
 */
export async function testConnectionCommand(name: string, options: { config: string }): Promise<number> {
  const config = loadConfig(options.config);
  const warehouse = config.warehouses.find((w) => w.name === name);
  if (warehouse === undefined) {
    const names = config.warehouses.map((w) => w.name);
    throw new VigilError('not_found', `no warehouse ${JSON.stringify(name)} in ${options.config}${suggestion(name, names)}; configured: ${names.join(', ') || 'none'}`);
  }
  const title = `warehouse ${name} (${warehouse.config.type})`;
  let connector: Connector | undefined;
  let results: StepResult[];
  try {
    connector = await openConnector(name, warehouse.config);
    await connector.queryReadOnly('SELECT 1');
    results = [
      { step: 'reachable', ok: true, detail: 'ok' },
      { step: 'credentials', ok: true, detail: 'ok' },
      await checkTables(connector, warehouse, tablesOf(config, name)),
    ];
  } catch (error) {
    results = afterFailure(stepOf(error), messageOf(error));
  } finally {
    await connector?.close().catch(() => {});
  }
  process.stdout.write(renderReport(title, results));
  return results.every((r) => r.ok === true) ? EXIT_OK : EXIT_ERROR;
}
