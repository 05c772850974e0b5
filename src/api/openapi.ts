import { z } from 'zod';
import { monitorBodySchema } from './monitor-body.js';
import { incidentListQuery, measurementListQuery, monitorListQuery, runBody } from './schemas.js';

/**
 * GET /openapi.json: the API described in OpenAPI 3.1, from the very schemas that validate
 * its requests (schemas.ts, monitor-body.ts), so the document cannot say one thing while
 * the server checks another.
 */

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

function queryParameters(schema: z.ZodObject): Json[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, ...fieldSchema } = jsonSchema(field as z.ZodType);
    return { name, in: 'query', required: !(field as z.ZodType).safeParse(undefined).success, ...(description === undefined ? {} : { description }), schema: fieldSchema };
  });
}

const idParameter = (name: string, what: string): Json => ({ name, in: 'path', required: true, description: what, schema: { type: 'string', format: 'uuid' } });

const ERRORS: Json = {
  '400': { description: 'a bad request: {"detail": "..."} or one list of messages per field', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '401': { description: 'no API key, or a wrong or revoked one' },
  '403': { description: "a viewer's key asked to write" },
  '404': { description: 'no such id' },
};

const ok = (description: string, status = '200'): Json => ({ [status]: { description, content: { 'application/json': { schema: { type: 'object' } } } }, ...ERRORS });
const body = (schema: z.ZodType): Json => ({ required: true, content: { 'application/json': { schema: jsonSchema(schema) } } });
const writeErrors: Json = { '409': { description: 'the state does not allow it (a YAML monitor, a resolved incident)' }, '429': { description: 'past the write rate limit of the key; see Retry-After' } };

export function openApiDocument(version: string): Json {
  return {
    openapi: '3.1.0',
    info: { title: 'Vigil Monitors API', version, description: 'Compatible with the Monitors API of the reference. Lists are paged: ?page=N, page_size up to 500.' },
    servers: [{ url: '/api/v1' }, { url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a key from `vigil api-key create`' } },
      schemas: {
        Error: { oneOf: [{ type: 'object', properties: { detail: { type: 'string' } }, required: ['detail'] }, { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } }] },
      },
    },
    paths: {
      '/monitor/monitors': {
        get: { summary: 'List monitors', parameters: queryParameters(monitorListQuery), responses: ok('a page of monitors') },
        post: { summary: 'Create a monitor', requestBody: body(monitorBodySchema), responses: { ...ok('the monitor', '201'), ...writeErrors } },
      },
      '/monitor/monitors/{monitor_id}': {
        parameters: [idParameter('monitor_id', 'the monitor')],
        get: { summary: 'Get a monitor', responses: ok('the monitor') },
        patch: { summary: 'Change a monitor made through the API', requestBody: body(monitorBodySchema.partial()), responses: { ...ok('the monitor'), ...writeErrors } },
        delete: { summary: 'Delete a monitor made through the API, with its measurements and incidents', responses: { '204': { description: 'deleted' }, ...ERRORS, ...writeErrors } },
      },
      '/monitor/monitors/run': {
        post: { summary: 'Run monitors now, as a background job', requestBody: body(runBody), responses: { ...ok('the background job'), ...writeErrors } },
      },
      '/background_jobs/{job_id}': {
        parameters: [idParameter('job_id', 'the background job')],
        get: { summary: 'Get a background job', responses: ok('the job') },
      },
      '/monitor/incidents': { get: { summary: 'List incidents, newest first', parameters: queryParameters(incidentListQuery), responses: ok('a page of incidents') } },
      '/monitor/incident/{incident_id}': {
        parameters: [idParameter('incident_id', 'the incident')],
        get: { summary: 'Get an incident', responses: ok('the incident') },
      },
      '/monitor/incident/{incident_id}/acknowledge': {
        parameters: [idParameter('incident_id', 'the incident')],
        post: { summary: 'Acknowledge an incident', responses: { ...ok('the incident'), ...writeErrors } },
      },
      '/monitor/incident/{incident_id}/resolve': {
        parameters: [idParameter('incident_id', 'the incident')],
        post: { summary: 'Resolve an incident', responses: { ...ok('the incident'), ...writeErrors } },
      },
      '/monitor/measurements': { get: { summary: 'List measurements of a monitor or an incident, newest first', parameters: queryParameters(measurementListQuery), responses: ok('a page of measurements') } },
      '/monitor/measurements/{measurement_id}/normal': {
        parameters: [idParameter('measurement_id', 'the measurement')],
        post: { summary: 'Mark a measurement normal: the detector trains on it again', responses: { ...ok('the measurement'), ...writeErrors } },
      },
    },
  };
}
