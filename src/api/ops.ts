import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { StoreDb } from '../store/database.js';
import { clientError, frameworkError, installErrorHandling } from './http-errors.js';
import type { DaemonMetrics } from './metrics.js';
import { registerApi, type ApiDeps } from './server.js';

export interface OpsOptions {
  db: StoreDb;
  metrics: DaemonMetrics;
  /** Whether the daemon has started and is not shutting down. */
  ready: () => boolean;
}

/**
 * Liveness, readiness and Prometheus metrics. /healthz answers while the process serves;
 * /readyz only when the store answers and the scheduler runs; /metrics in the text format.
 */
export function opsRoutes(app: FastifyInstance, options: OpsOptions): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (!options.ready()) return reply.code(503).send({ status: 'not ready', detail: 'starting or shutting down' });
    try {
      await sql`select 1`.execute(options.db);
    } catch {
      return reply.code(503).send({ status: 'not ready', detail: 'the store does not answer' });
    }
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(body);
  });
}

/** The daemon's HTTP server: the ops endpoints, and the Monitors API when given its dependencies. */
export function createServer(options: OpsOptions & { api?: ApiDeps }): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, routerOptions: { ignoreTrailingSlash: true }, frameworkErrors: frameworkError, clientErrorHandler: clientError });
  if (options.api !== undefined) {
    installErrorHandling(app, options.api.logger);
    registerApi(app, options.api);
  }
  opsRoutes(app, options);
  return app;
}
