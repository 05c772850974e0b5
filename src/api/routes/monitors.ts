import type { FastifyInstance } from 'fastify';
import { getMonitor, pageMonitors } from '../../store/api-reads.js';
import { notFound } from '../http-errors.js';
import { envelope } from '../pagination.js';
import { pathId } from '../request.js';
import { monitorListQuery, parseWith } from '../schemas.js';
import { monitorResponse } from '../shapes.js';
import { pageOf, queryOf, urlOf, type ApiDeps } from './context.js';

export function monitorRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/monitor/monitors', async (request) => {
    const query = parseWith(monitorListQuery, queryOf(request));
    const filter = {
      status: query.status,
      metricType: query.metric_type,
      target: query.target?.toLowerCase(),
      integration: query.integration?.toLowerCase(),
      isEnabled: query.is_enabled === undefined ? undefined : query.is_enabled === 'true' || query.is_enabled === '1',
    };
    const page = pageOf(query);
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
