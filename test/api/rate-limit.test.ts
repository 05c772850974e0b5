import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../../src/api/http-errors.js';
import { installWriteRateLimit, WriteRateLimiter } from '../../src/api/rate-limit.js';
import { ManualClock } from '../../src/domain/clock.js';
import { silentLogger } from '../../src/domain/logger.js';

/**
 * The write rate limit on a real server (HTTP on loopback, real fetch): a stand-in auth hook
 * takes the key id from a header, the limit hook comes after it, as in registerApi.
 */

const clock = new ManualClock('2026-11-28T12:00:00Z');
let server: FastifyInstance;
let base: string;
let posts = 0;

beforeAll(async () => {
  server = Fastify();
  installErrorHandling(server, silentLogger);
  server.decorateRequest('principal', null);
  server.addHook('onRequest', async (request) => {
    const keyId = request.headers['x-key'];
    request.principal = typeof keyId === 'string' ? { keyId, name: `${keyId} key`, role: 'editor' } : null;
  });
  installWriteRateLimit(server, new WriteRateLimiter(3, clock));
  server.post('/things', async (_request, reply) => {
    posts++;
    return reply.code(201).send({ created: true });
  });
  server.get('/things', async () => ({ things: [] }));
  base = await server.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close();
});

async function call(method: 'GET' | 'POST', key: string): Promise<{ status: number; retryAfter: string | null; type: string | null; body: any }> {
  const response = await fetch(`${base}/things`, {
    method,
    headers: { 'x-key': key, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    body: method === 'POST' ? '{}' : undefined,
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), type: response.headers.get('content-type'), body: await response.json() };
}

describe('write rate limit over HTTP', () => {
  it('answers the 4th POST of a key within the minute with 429, a Retry-After and a JSON detail, without running the route', async () => {
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000); // POSTs at 1 s, 2 s, 3 s
      const ok = await call('POST', 'alpha');
      expect(ok.status, `POST ${i + 1}`).toBe(201);
      expect(ok.retryAfter).toBeNull();
    }
    expect(posts).toBe(3);
    clock.advance(7_000); // 10 s: the first POST leaves the window at 61 s
    const refused = await call('POST', 'alpha');
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('51');
    expect(refused.type).toMatch(/^application\/json/);
    expect(refused.body).toEqual({ detail: expect.stringMatching(/too many writes.*3 a minute.*51 s/) });
    expect(posts).toBe(3);
  });

  it('never limits GETs, even for a key past its writes', async () => {
    for (let i = 0; i < 10; i++) {
      const read = await call('GET', 'alpha');
      expect(read.status, `GET ${i + 1}`).toBe(200);
      expect(read.body).toEqual({ things: [] });
    }
    expect((await call('POST', 'alpha')).status).toBe(429);
  });

  it('does not limit another key', async () => {
    for (let i = 0; i < 3; i++) expect((await call('POST', 'beta')).status, `POST ${i + 1}`).toBe(201);
    expect((await call('POST', 'beta')).status).toBe(429);
    expect((await call('POST', 'gamma')).status).toBe(201);
  });

  it('lets the key write again once Retry-After has passed', async () => {
    const refused = await call('POST', 'alpha');
    expect(refused.status).toBe(429);
    clock.advance(Number(refused.retryAfter) * 1_000);
    expect((await call('POST', 'alpha')).status).toBe(201);
  });
});
