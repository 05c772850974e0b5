import type { FastifyInstance } from 'fastify';
import { getIncident, pageIncidents } from '../../store/api-reads.js';
import { acknowledgeIncident, resolveIncident } from '../../store/incident-commands.js';
import { principalOf } from '../auth.js';
import { notFound } from '../http-errors.js';
import { envelope } from '../pagination.js';
import { pathId } from '../request.js';
import { incidentListQuery, parseWith } from '../schemas.js';
import { incidentResponse } from '../shapes.js';
import { pageOf, queryOf, urlOf, type ApiDeps } from './context.js';

export function incidentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const show = async (id: string) => {
    const record = await getIncident(deps.db, id);
    if (record === undefined) throw notFound(`incident ${id}`);
    return incidentResponse(record.incident, record.actions, record.monitor, record.target, record.integration);
  };

  app.get('/monitor/incidents', async (request) => {
    const query = parseWith(incidentListQuery, queryOf(request));
    const filter = { status: query.status, monitor: query.monitor?.toLowerCase() };
    const page = pageOf(query);
    const { count, results } = await pageIncidents(deps.db, filter, page);
    return envelope(urlOf(request), page.page, page.pageSize, count, results.map((r) => incidentResponse(r.incident, r.actions, r.monitor, r.target, r.integration)));
  });

  app.get<{ Params: { id: string } }>('/monitor/incident/:id', async (request) => show(pathId(request.params.id, 'incident_id')));

  for (const [action, command] of [['acknowledge', acknowledgeIncident], ['resolve', resolveIncident]] as const) {
    app.post<{ Params: { id: string } }>(`/monitor/incident/:id/${action}`, async (request) => {
      const id = pathId(request.params.id, 'incident_id');
      const principal = principalOf(request);
      await command(deps.db, id, { userId: principal.keyId, userName: principal.name }, deps.clock.now(), deps.notify);
      return show(id);
    });
  }
}
