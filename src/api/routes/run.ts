import type { FastifyInstance } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { messageOf } from '../../domain/errors.js';
import type { RunResult } from '../../engine/run.js';
import { listMonitors } from '../../store/monitors-repo.js';
import { principalOf } from '../auth.js';
import { badRequest, HttpError } from '../http-errors.js';
import { parseWith, runBody } from '../schemas.js';
import { jobResponse } from '../shapes.js';
import type { ApiDeps } from './context.js';

function logLine(result: RunResult): string {
  if (result.error !== null) return `${result.monitor.name}: error: ${result.error.message}`;
  const band = result.lower === null && result.upper === null ? '' : ` (band ${result.lower ?? '-inf'} .. ${result.upper ?? 'inf'})`;
  return `${result.monitor.name}: ${result.status}, value ${result.value ?? 'null'}${band}`;
}

/**
 * POST /monitor/monitors/run: a background job that runs the monitors now (their schedules
 * do not move), pollable at /background_jobs/{id}; its logs say what each monitor measured.
 */
export function runRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/monitor/monitors/run', async (request) => {
    const ids = [...new Set(parseWith(runBody, request.body).monitors.map((id) => id.toLowerCase()))];
    const principal = principalOf(request);
    const run = deps.runMonitors;
    if (run === undefined) throw new HttpError(503, { detail: 'this server does not run monitors' });
    const monitors = await listMonitors(deps.db, { ids });
    const missing = ids.filter((id) => !monitors.some((m) => m.id === id));
    if (missing.length > 0) throw badRequest({ monitors: missing.map((id) => `no monitor with id ${id}`) });

    const now = deps.clock.now().toISOString();
    const id = uuidv7();
    const job = { id, user: principal.name, title: 'Run Monitors', failed: 0, started: now, completed: null, logs: `Job started: running ${monitors.length} monitor${monitors.length === 1 ? '' : 's'}.`, has_artifact: 0, created_at: now, updated_at: now };
    await deps.db.insertInto('background_jobs').values(job).execute();
    void (async () => {
      let logs: string;
      let failed = false;
      try {
        const results = await run(monitors);
        failed = results.some((r) => r.error !== null);
        logs = [job.logs, ...results.map(logLine), failed ? 'Job finished with errors.' : 'Job finished.'].join('\n');
      } catch (error) {
        failed = true;
        logs = `${job.logs}\nJob failed: ${messageOf(error)}`;
      }
      const done = deps.clock.now().toISOString();
      await deps.db.updateTable('background_jobs').set({ logs, failed: failed ? 1 : 0, completed: done, updated_at: done }).where('id', '=', id).execute();
    })().catch((error) => deps.logger.error({ job: id }, `a background job could not be recorded: ${messageOf(error)}`));
    return jobResponse(job);
  });
}
