import type { FastifyInstance } from 'fastify';
import { INCIDENT_STATUSES } from '../../domain/incident.js';
import { getIncident, pageIncidents } from '../../store/api-reads.js';
import { acknowledgeIncident, resolveIncident } from '../../store/incident-commands.js';
import { principalOf } from '../auth.js';
import { notFound } from '../http-errors.js';
import { envelope } from '../pagination.js';
import { FieldErrors, oneOf, pathId, uuidParam } from '../request.js';
import { incidentResponse } from '../shapes.js';
import { pagingOf, queryOf, urlOf, type ApiDeps } from './context.js';

export function incidentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const show = async (id: string) => {
    const record = await getIncident(deps.db, id);
    if (record === undefined) throw notFound(`incident ${id}`);
    return incidentResponse(record.incident, record.actions, record.monitor, record.target, record.integration);
  };

  app.get('/monitor/incidents', async (request) => {
    const query = queryOf(request);
    const errors = new FieldErrors();
    const filter = { status: oneOf(query, 'status', INCIDENT_STATUSES, errors), monitor: uuidParam(query, 'monitor', errors) };
    const page = pagingOf(query, errors);
    errors.throwIfAny();
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
