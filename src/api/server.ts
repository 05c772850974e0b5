import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installAuth } from './auth.js';
import { openApiDocument } from './openapi.js';
import { installWriteRateLimit, WriteRateLimiter } from './rate-limit.js';
import { incidentRoutes } from './routes/incidents.js';
import { jobRoutes } from './routes/jobs.js';
import { measurementRoutes } from './routes/measurements.js';
import { monitorRoutes } from './routes/monitors.js';
import { monitorWriteRoutes } from './routes/monitor-writes.js';
import { runRoutes } from './routes/run.js';
import type { ApiDeps } from './routes/context.js';

export type { ApiDeps } from './routes/context.js';

/** Vigil's version, from the nearest package.json up from here (src/ or dist/src/). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (dirname(dir) === dir) return '0.0.0';
  }
}

/** Where the Monitors API answers: as in the reference, and under /api/v1. */
export const API_PREFIXES = ['', '/api/v1'] as const;

/**
 * The Monitors API (compatible with the reference in shared/reference/monitors-api.txt), on
 * both prefixes, every route behind an API key. The ops endpoints stay open.
 */
export function registerApi(app: FastifyInstance, deps: ApiDeps): void {
  const document = openApiDocument(packageVersion());
  for (const prefix of API_PREFIXES) app.get(`${prefix}/openapi.json`, async () => document);
  // One budget a key across both prefixes.
  const limiter = deps.writeRateLimitPerMinute === undefined ? null : new WriteRateLimiter(deps.writeRateLimitPerMinute, deps.clock);
  for (const prefix of API_PREFIXES) {
    void app.register(
      async (scope) => {
        // Bodies are JSON only (fastify would also take text/plain).
        scope.removeContentTypeParser('text/plain');
        installAuth(scope, deps);
        if (limiter !== null) installWriteRateLimit(scope, limiter);
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
