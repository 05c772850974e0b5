import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { VigilError, type ErrorCode } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';

/** The API's error bodies: `{"detail": "..."}`, or per-field messages on a bad request. */
export type ErrorBody = { detail: string } | Record<string, string[]>;

/** A request the API refuses, with its status and body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super('detail' in body && typeof body.detail === 'string' ? body.detail : 'invalid request');
  }
}

export const badRequest = (fields: Record<string, string[]>) => new HttpError(400, fields);
export const notFound = (what: string) => new HttpError(404, { detail: `${what} not found` });

/** HTTP status by error code: the only place that chooses one (DESIGN: "HTTP status is chosen in api/ only"). */
const STATUS: Readonly<Partial<Record<ErrorCode, number>>> = {
  not_found: 404,
  conflict: 409,
  invalid_argument: 400,
};

function send(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.code(status).type('application/json').send(body);
}

/**
 * Errors become JSON with the right status. What a client sent is never a 500: fastify's
 * own refusals (bad JSON, a body too large, a wrong content type) are 4xx with a detail.
 * Only a failure of Vigil itself is a 500, logged, with no internals in the body.
 */
export function installErrorHandling(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError | HttpError | VigilError, request, reply) => {
    if (error instanceof HttpError) return send(reply, error.status, error.body);
    if (error instanceof VigilError) {
      const status = STATUS[error.code];
      if (status !== undefined) return send(reply, status, { detail: error.message });
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 400, { detail: 'the request body is over 1 MiB' });
    if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return send(reply, 400, { detail: 'the body must be JSON (Content-Type: application/json)' });
    if (fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return send(reply, 400, { detail: 'the body is empty; send a JSON object' });
    if (fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyError instanceof SyntaxError) return send(reply, 400, { detail: `the body is not valid JSON: ${fastifyError.message}` });
    if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return send(reply, fastifyError.statusCode, { detail: fastifyError.message });
    }
    logger.error({ method: request.method, url: request.url, err: error }, 'the API failed to answer');
    return send(reply, 500, { detail: 'Vigil failed to answer this request; the error is in its log' });
  });
  app.setNotFoundHandler((request, reply) => send(reply, 404, { detail: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` }));
}

/** Fastify's own refusals before any route (a URL it cannot decode, a path part too long), as JSON. */
export function frameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const detail = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a part of the path is too long' : error.code === 'FST_ERR_BAD_URL' ? 'the URL cannot be decoded (bad percent-encoding)' : error.message;
  void send(reply, error.statusCode ?? 400, { detail });
}

/**
 * What Node's HTTP parser refuses before fastify sees a request (a method that is not HTTP,
 * headers over the size limit, a client too slow), answered as JSON like everything else.
 */
export function clientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'the request took too long to arrive']
    : error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'the request headers are too large']
    : [400, 'the request is not valid HTTP'];
  const body = JSON.stringify({ detail });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
