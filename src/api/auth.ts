import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiPrincipal } from '../domain/api-key.js';
import type { Clock } from '../domain/clock.js';
import { verifyApiKey } from '../store/api-keys-repo.js';
import type { StoreDb } from '../store/database.js';
import { HttpError } from './http-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: ApiPrincipal | null;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The key a request came with (set by the auth hook on every API route). */
export function principalOf(request: FastifyRequest): ApiPrincipal {
  if (request.principal === null) throw new HttpError(401, { detail: 'authentication required' });
  return request.principal;
}

/**
 * `Authorization: Bearer <key>` on every route of the scope it is installed in: 401
 * without a key or with one that is wrong or revoked, 403 when a viewer's key asks to write.
 * Keys are compared by hash in constant time (see verifyApiKey).
 */
export function installAuth(app: FastifyInstance, deps: { db: StoreDb; clock: Clock }): void {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (match === null) {
      throw new HttpError(401, { detail: header === undefined ? 'authentication required: send Authorization: Bearer <key> (vigil api-key create)' : 'the Authorization header must be Bearer <key>' });
    }
    const principal = await verifyApiKey(deps.db, match[1]!, deps.clock.now());
    if (principal === null) throw new HttpError(401, { detail: 'the API key is not valid (wrong, or revoked)' });
    if (!READS.has(request.method) && principal.role === 'viewer') {
      throw new HttpError(403, { detail: `the key "${principal.name}" is a viewer's: it may only read` });
    }
    request.principal = principal;
  });
}
