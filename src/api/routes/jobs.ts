import type { FastifyInstance } from 'fastify';
import { notFound } from '../http-errors.js';
import { pathId } from '../request.js';
import { jobResponse } from '../shapes.js';
import type { ApiDeps } from './context.js';

export function jobRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/background_jobs/:id', async (request) => {
    const id = pathId(request.params.id, 'job_id');
    const row = await deps.db.selectFrom('background_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw notFound(`background job ${id}`);
    return jobResponse(row);
  });
}
