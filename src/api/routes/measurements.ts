import type { FastifyInstance } from 'fastify';
import { getMeasurement, pageMeasurements } from '../../store/api-reads.js';
import { markMeasurementNormal } from '../../store/incident-commands.js';
import { principalOf } from '../auth.js';
import { notFound } from '../http-errors.js';
import { envelope } from '../pagination.js';
import { pathId } from '../request.js';
import { measurementListQuery, parseWith } from '../schemas.js';
import { measurementResponse } from '../shapes.js';
import { pageOf, queryOf, urlOf, type ApiDeps } from './context.js';

export function measurementRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/monitor/measurements', async (request) => {
    const query = parseWith(measurementListQuery, queryOf(request));
    const filter = { monitor: query.monitor?.toLowerCase(), incident: query.incident_id?.toLowerCase(), from: query.from, to: query.to };
    const page = pageOf(query);
    const { count, results } = await pageMeasurements(deps.db, filter, page);
    return envelope(urlOf(request), page.page, page.pageSize, count, results.map(measurementResponse));
  });

  /** A person's "this was fine": the detector trains on it again, and its incident may resolve. */
  app.post<{ Params: { id: string } }>('/monitor/measurements/:id/normal', async (request) => {
    const id = pathId(request.params.id, 'measurement_id');
    const principal = principalOf(request);
    await markMeasurementNormal(deps.db, id, { userId: principal.keyId, userName: principal.name }, deps.clock.now(), deps.notify);
    const row = await getMeasurement(deps.db, id);
    if (row === undefined) throw notFound(`measurement ${id}`);
    return measurementResponse(row);
  });
}
