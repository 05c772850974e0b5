import type { FastifyInstance } from 'fastify';
import { METRIC_TYPES } from '../../domain/metric.js';
import { MONITOR_STATUSES } from '../../domain/monitor.js';
import { getMonitor, pageMonitors } from '../../store/api-reads.js';
import { notFound } from '../http-errors.js';
import { envelope } from '../pagination.js';
import { booleanParam, FieldErrors, oneOf, pathId, uuidParam } from '../request.js';
import { monitorResponse } from '../shapes.js';
import { pagingOf, queryOf, urlOf, type ApiDeps } from './context.js';

export function monitorRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/monitor/monitors', async (request) => {
    const query = queryOf(request);
    const errors = new FieldErrors();
    const filter = {
      status: oneOf(query, 'status', MONITOR_STATUSES, errors),
      metricType: oneOf(query, 'metric_type', METRIC_TYPES, errors),
      target: uuidParam(query, 'target', errors),
      integration: uuidParam(query, 'integration', errors),
      isEnabled: booleanParam(query, 'is_enabled', errors),
    };
    const page = pagingOf(query, errors);
    errors.throwIfAny();
    const { count, results } = await pageMonitors(deps.db, filter, page);
    return envelope(urlOf(request), page.page, page.pageSize, count, results.map((r) => monitorResponse(r.monitor, r.target, r.integration, deps.workspace)));
  });

  app.get<{ Params: { id: string } }>('/monitor/monitors/:id', async (request) => {
    const id = pathId(request.params.id, 'monitor_id');
    const record = await getMonitor(deps.db, id);
    if (record === undefined) throw notFound(`monitor ${id}`);
    return monitorResponse(record.monitor, record.target, record.integration, deps.workspace);
  });
}
