import { createApp, notifyTargets, type App } from '../app.js';
import { loadConfig } from '../config/load.js';
import { VigilError } from '../domain/errors.js';
import { isUuid } from '../domain/ids.js';
import type { Actor } from '../domain/incident.js';
import { acknowledgeIncident, markMeasurementNormal, resolveIncident } from '../store/incident-commands.js';
import { formatNumber, table } from './output.js';

/** A person at the command line; `--user` names them in the incident's actions. */
function actorOf(user: string | undefined): Actor {
  const name = user ?? process.env.USER ?? null;
  return { userId: null, userName: name };
}

async function withApp<T>(configFile: string, work: (app: App) => Promise<T>): Promise<T> {
  const app = await createApp(loadConfig(configFile));
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

function checkId(id: string, what: string): void {
  if (!isUuid(id)) throw new VigilError('invalid_argument', `${JSON.stringify(id)} is not a ${what} id (a UUID)`);
}

/** `vigil incidents`: the open incidents (or all, with --all), newest first. */
export async function listIncidentsCommand(options: { config: string; all?: boolean }): Promise<number> {
  return withApp(options.config, async (app) => {
    let query = app.db.selectFrom('incidents').selectAll().orderBy('first_seen_at', 'desc').limit(500);
    if (options.all !== true) query = query.where('status', '<>', 'resolved');
    const rows = await query.execute();
    const lines = [['INCIDENT', 'MONITOR', 'STATUS', 'VALUE', 'FIRST SEEN', 'LAST SEEN'], ...rows.map((r) => [r.id, r.name, r.status, formatNumber(r.value), r.first_seen_at, r.last_seen_at])];
    process.stdout.write(`${table(lines)}\n${rows.length} incident${rows.length === 1 ? '' : 's'}\n`);
    return 0;
  });
}

export async function incidentActionCommand(action: 'acknowledge' | 'resolve', id: string, options: { config: string; user?: string }): Promise<number> {
  checkId(id, 'incident');
  return withApp(options.config, async (app) => {
    const run = action === 'acknowledge' ? acknowledgeIncident : resolveIncident;
    const incident = await run(app.db, id, actorOf(options.user), app.clock.now(), notifyTargets(app));
    process.stdout.write(`incident ${incident.id}: ${incident.status}\n`);
    return 0;
  });
}

export async function markNormalCommand(id: string, options: { config: string; user?: string }): Promise<number> {
  checkId(id, 'measurement');
  return withApp(options.config, async (app) => {
    const incident = await markMeasurementNormal(app.db, id, actorOf(options.user), app.clock.now(), notifyTargets(app));
    process.stdout.write(`measurement ${id}: marked normal${incident === null ? '' : `; incident ${incident.id}: ${incident.status}`}\n`);
    return 0;
  });
}
