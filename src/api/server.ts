import type { FastifyInstance } from 'fastify';
import { installAuth } from './auth.js';
import { incidentRoutes } from './routes/incidents.js';
import { jobRoutes } from './routes/jobs.js';
import { measurementRoutes } from './routes/measurements.js';
import { monitorRoutes } from './routes/monitors.js';
import { monitorWriteRoutes } from './routes/monitor-writes.js';
import { runRoutes } from './routes/run.js';
import type { ApiDeps } from './routes/context.js';

export type { ApiDeps } from './routes/context.js';

/** Where the Monitors API answers: as in the reference, and under /api/v1. */
export const API_PREFIXES = ['', '/api/v1'] as const;

/**
 * The Monitors API (compatible with the reference in shared/reference/monitors-api.txt), on
 * both prefixes, every route behind an API key. The ops endpoints stay open.
 */
export function registerApi(app: FastifyInstance, deps: ApiDeps): void {
  for (const prefix of API_PREFIXES) {
    void app.register(
      async (scope) => {
        // Bodies are JSON only (fastify would also take text/plain).
        scope.removeContentTypeParser('text/plain');
        installAuth(scope, deps);
        monitorRoutes(scope, deps);
        monitorWriteRoutes(scope, deps);
        runRoutes(scope, deps);
        incidentRoutes(scope, deps);
        measurementRoutes(scope, deps);
        jobRoutes(scope, deps);
      },
      { prefix },
    );
  }
}
