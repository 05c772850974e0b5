import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { ManualClock } from '../../src/domain/clock.js';
import { DEFAULT_WORKSPACE_ID, yamlMonitorId } from '../../src/domain/ids.js';
import { createApiKey } from '../../src/store/api-keys-repo.js';
import { apiFixture, type ApiFixture } from '../helpers/api-server.js';

/**
 * The Monitors API on a running server (real HTTP on loopback), a real SQLite store and a
 * real embedded warehouse: the runs below leave monitors, measurements and an incident.
 */

let fixture: ApiFixture;
let app: App;
let clock: ManualClock;
let base: string;
const keys = { admin: '', editor: '', viewer: '' };

const BROKEN = yamlMonitorId('too many rows');

beforeAll(async () => {
  fixture = await apiFixture();
  ({ app, clock } = fixture);
  for (const role of ['admin', 'editor', 'viewer'] as const) keys[role] = (await createApiKey(app.db, { name: `${role} key`, role }, clock.now())).key;
  ({ base } = await fixture.serve());
});

afterAll(async () => {
  await fixture?.close();
});

async function call(method: string, path: string, options: { key?: string | null; body?: string; contentType?: string } = {}): Promise<{ status: number; body: any }> {
  const key = options.key === undefined ? keys.admin : options.key;
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(base + path, { method, headers, body: options.body });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text) };
}

describe('authentication and roles', () => {
  it('answers 401 without a key, with a malformed header, a wrong key and a made-up one', async () => {
    expect(await call('GET', '/monitor/monitors', { key: null })).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/Bearer/) } });
    for (const key of [`${keys.viewer}x`, 'vigil_000000000000_abc', 'nonsense']) {
      expect((await call('GET', '/monitor/monitors', { key })).status).toBe(401);
    }
    const basic = await fetch(`${base}/monitor/monitors`, { headers: { authorization: 'Basic abc' } });
    expect(basic.status).toBe(401);
  });

  it('lets a viewer read but not write (403), and an editor write', async () => {
    expect((await call('GET', '/monitor/incidents', { key: keys.viewer })).status).toBe(200);
    const incident = (await call('GET', `/monitor/incidents?monitor=${BROKEN}`)).body.results[0];
    expect(await call('POST', `/monitor/incident/${incident.id}/acknowledge`, { key: keys.viewer })).toMatchObject({ status: 403, body: { detail: expect.stringMatching(/viewer/) } });
    expect((await call('GET', `/monitor/incident/${incident.id}`)).body.status).toBe('active');
  });

  it('keeps the ops endpoints open', async () => {
    expect((await call('GET', '/healthz', { key: null })).status).toBe(200);
  });
});

describe('monitors', () => {
  it('lists every monitor in the reference envelope, with the reference fields', async () => {
    const { status, body } = await call('GET', '/monitor/monitors');
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['links', 'meta', 'count', 'total_pages', 'results']);
    expect(body).toMatchObject({ count: 5, total_pages: 1, links: { next: null, previous: null }, meta: { page: 1, previous_page: null, next_page: null } });
    const broken = body.results.find((m: { id: string }) => m.id === BROKEN);
    expect(broken).toMatchObject({
      name: 'too many rows',
      metric_type: 'row_count',
      status: 'incident',
      is_enabled: true,
      workspace: DEFAULT_WORKSPACE_ID,
      condition_manual_max: 9,
      last_measurement_value: 10,
      display_metadata: { target: { entity_type: 'table', label: 'items', integration_type: 'sqlite' } },
    });
  });

  it('filters by status, metric_type, is_enabled, target and integration', async () => {
    const names = async (query: string) => ((await call('GET', `/monitor/monitors?${query}`)).body.results as Array<{ name: string }>).map((m) => m.name).sort();
    expect(await names('status=incident')).toEqual(['too many rows']);
    expect(await names('metric_type=null_percentage')).toEqual(['nulls']);
    expect(await names('is_enabled=false')).toEqual(['canary rows']);
    const broken = (await call('GET', `/monitor/monitors/${BROKEN}`)).body;
    expect(await names(`target=${broken.target}`)).toEqual(['rows', 'too many rows']);
    expect(await names(`integration=${broken.integration}&is_enabled=true`)).toEqual(['max amount', 'nulls', 'rows', 'too many rows']);
  });

  it('pages with page and page_size, keeping the other parameters in the links', async () => {
    const first = (await call('GET', '/monitor/monitors?page_size=2&is_enabled=true')).body;
    expect(first).toMatchObject({ count: 4, total_pages: 2, meta: { page: 1, previous_page: null, next_page: 2 } });
    const next = new URL(first.links.next);
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.get('is_enabled')).toBe('true');
    const second = (await call('GET', next.pathname + next.search)).body;
    expect(second).toMatchObject({ meta: { page: 2, previous_page: 1, next_page: null }, links: { next: null } });
    const ids = [...first.results, ...second.results].map((m: { id: string }) => m.id);
    expect(new Set(ids).size).toBe(4);
    expect((await call('GET', '/monitor/monitors?page=4&page_size=2')).body).toMatchObject({ count: 5, total_pages: 3, results: [] });
  });

  it('answers under /api/v1 and with a trailing slash', async () => {
    for (const path of ['/api/v1/monitor/monitors', '/monitor/monitors/', `/api/v1/monitor/monitors/${BROKEN}/`]) {
      expect((await call('GET', path)).status, path).toBe(200);
    }
  });

  it('says 400 per field for bad filters, 400 for a bad id, 404 for an unknown one', async () => {
    const bad = await call('GET', '/monitor/monitors?status=sleepy&metric_type=x&is_enabled=maybe&target=abc&page=0&page_size=501');
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body).sort()).toEqual(['is_enabled', 'metric_type', 'page', 'page_size', 'status', 'target']);
    expect(bad.body.status[0]).toMatch(/one of pending, learning, normal, incident, error/);
    expect(await call('GET', '/monitor/monitors/not-a-uuid')).toMatchObject({ status: 400, body: { monitor_id: [expect.stringMatching(/UUID/)] } });
    expect(await call('GET', '/monitor/monitors/00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 404, body: { detail: expect.stringMatching(/not found/) } });
    expect(await call('GET', '/monitor/nothing-here')).toMatchObject({ status: 404 });
  });
});

describe('incidents and measurements', () => {
  it('lists incidents with their actions, filters them, and shows one', async () => {
    const list = (await call('GET', `/monitor/incidents?status=active&monitor=${BROKEN}`)).body;
    expect(list.count).toBe(1);
    const incident = list.results[0];
    expect(incident).toMatchObject({ monitor: BROKEN, status: 'active', value: 10, display_metadata: { monitor: { label: 'too many rows' } } });
    expect(incident.actions.map((a: { type: string }) => a.type)).toContain('created');
    expect((await call('GET', `/monitor/incident/${incident.id}`)).body).toEqual(incident);
    expect((await call('GET', '/monitor/incidents?status=resolved')).body.count).toBe(0);
    expect((await call('GET', '/monitor/incident/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('requires monitor or incident_id for measurements, and lists them newest first', async () => {
    expect(await call('GET', '/monitor/measurements')).toMatchObject({ status: 400, body: { monitor: [expect.stringMatching(/incident_id/)] } });
    const byMonitor = (await call('GET', `/monitor/measurements?monitor=${BROKEN}`)).body;
    expect(byMonitor.count).toBe(3);
    const times = byMonitor.results.map((m: { created_at: string }) => m.created_at);
    expect(times).toEqual([...times].sort().reverse());
    expect(byMonitor.results[0]).toMatchObject({ monitor: BROKEN, value: 10, upper_threshold: 9 });
    const incident = (await call('GET', `/monitor/incidents?monitor=${BROKEN}`)).body.results[0];
    expect((await call('GET', `/monitor/measurements?incident_id=${incident.id}`)).body.count).toBe(3);
    const windowed = (await call('GET', `/monitor/measurements?monitor=${BROKEN}&from=2026-11-28T13:00:00Z&to=2026-11-28T13:59:59Z`)).body;
    expect(windowed.results.map((m: { created_at: string }) => m.created_at)).toEqual(['2026-11-28T13:00:00.000Z']);
    expect(await call('GET', `/monitor/measurements?monitor=${BROKEN}&from=yesterday`)).toMatchObject({ status: 400, body: { from: [expect.stringMatching(/ISO-8601/)] } });
  });

  it('acknowledges, then resolves an incident as the key that asked; acknowledging it then is 409', async () => {
    const incident = (await call('GET', `/monitor/incidents?monitor=${BROKEN}`)).body.results[0];
    const acknowledged = await call('POST', `/monitor/incident/${incident.id}/acknowledge`, { key: keys.editor });
    expect(acknowledged).toMatchObject({ status: 200, body: { status: 'acknowledged', acknowledged_at: clock.now().toISOString() } });
    expect(acknowledged.body.actions.at(-1)).toMatchObject({ type: 'acknowledged', user_name: 'editor key' });
    const resolved = await call('POST', `/api/v1/monitor/incident/${incident.id}/resolve/`, { key: keys.editor });
    expect(resolved).toMatchObject({ status: 200, body: { status: 'resolved' } });
    expect(await call('POST', `/monitor/incident/${incident.id}/acknowledge`)).toMatchObject({ status: 409, body: { detail: expect.any(String) } });
  });

  it("marks a measurement normal: the person's feedback is stored", async () => {
    const measurement = (await call('GET', `/monitor/measurements?monitor=${BROKEN}&page_size=1`)).body.results[0];
    expect(measurement.marked_normal).toBe(false);
    const marked = await call('POST', `/monitor/measurements/${measurement.id}/normal`, { key: keys.editor });
    expect(marked).toMatchObject({ status: 200, body: { id: measurement.id, marked_normal: true } });
    expect((await call('POST', '/monitor/measurements/00000000-0000-4000-8000-000000000000/normal')).status).toBe(404);
  });
});

describe('what a client sends wrong', () => {
  it('answers 400 to bad JSON, a non-JSON body, and a body over 1 MiB; never 500', async () => {
    const incident = (await call('GET', `/monitor/incidents?monitor=${BROKEN}`)).body.results[0];
    const path = `/monitor/incident/${incident.id}/acknowledge`;
    expect(await call('POST', path, { body: '{"oops": ' })).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/JSON/) } });
    expect((await call('POST', path, { body: 'hello', contentType: 'text/plain' })).status).toBe(400);
    expect(await call('POST', path, { body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) })).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/1 MiB/) } });
  });

  it('answers 404 for an unknown background job and 400 for a bad id', async () => {
    expect((await call('GET', '/background_jobs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('GET', '/background_jobs/123')).status).toBe(400);
  });
});

describe('creating, changing and deleting monitors', () => {
  const post = (body: unknown, key?: string) => call('POST', '/monitor/monitors', { body: JSON.stringify(body), key });

  it('creates a monitor on {warehouse, table, column}: 201 with the reference fields, learning from a sensitivity', async () => {
    const created = await post({ target: { warehouse: 'wh', table: 'items', column: 'amount' }, metric_type: 'mean', condition_auto_sensitivity: 7, schedule: { cadence: 'hourly', frequency: 2 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Mean of items.amount',
      metric_type: 'mean',
      status: 'pending',
      is_enabled: true,
      frequency: 2,
      condition_auto_sensitivity: 7,
      condition_manual_min: null,
      display_metadata: { target: { entity_type: 'column', label: 'amount' } },
    });
    expect((await call('GET', `/monitor/monitors/${created.body.id}`)).body).toEqual(created.body);
  });

  it('creates one on a target id Vigil knows, with a name and a manual band', async () => {
    const broken = (await call('GET', `/monitor/monitors/${BROKEN}`)).body;
    const created = await post({ name: 'few rows', target: broken.target, metric_type: 'row_count', condition_auto_sensitivity: null, condition_manual_min: 1, condition_manual_max: 1000 }, keys.editor);
    expect(created).toMatchObject({ status: 201, body: { name: 'few rows', target: broken.target, condition_auto_sensitivity: null, condition_manual_min: 1, condition_manual_max: 1000 } });
  });

  it('says what is wrong with a body, per field', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ metric_type: 'row_count' }, 'target', /required/],
      [{ target: { warehouse: 'nope', table: 'items' }, metric_type: 'row_count' }, 'target.warehouse', /unknown warehouse "nope"/],
      [{ target: '00000000-0000-4000-8000-000000000000', metric_type: 'row_count' }, 'target', /no table or column/],
      [{ target: { warehouse: 'wh', table: 'items' }, metric_type: 'max' }, 'target', /column metric/],
      [{ target: { warehouse: 'wh' }, name: 'q', metric_type: 'custom_sql' }, 'metric_config', /query_select/],
      [{ target: { warehouse: 'wh', table: 'items' }, metric_type: 'row_count', condition_auto_sensitivity: 11 }, 'condition_auto_sensitivity', /10/],
      [{ target: { warehouse: 'wh', table: 'items' }, metric_type: 'row_count', condition_auto_sensitivity: null, condition_manual_min: 5, condition_manual_max: 1 }, 'condition_manual_min', /greater than max/],
      [{ target: { warehouse: 'wh', table: 'items' }, metric_type: 'row_count', schedule: { cadence: 'daily', hour: 25 } }, 'schedule.hour', /23/],
      [{ target: { warehouse: 'wh', table: 'items' }, metric_type: 'rows' }, 'metric_type', /expected one of/],
      [{ target: { warehouse: 'wh', table: 'items' }, metric_type: 'row_count', schedule: { cron: '0 0 15W * *' } }, 'schedule.cron', /scheduler cannot run/],
      [{ target: { warehouse: 'wh', table: 'items' }, metric_type: 'row_count', colour: 'red' }, 'colour', /unknown field/],
      [{ target: { warehouse: 'wh', table: 'items' }, metric_type: 'row_count', name: 'rows' }, 'name', /exists already/],
      [{ target: { warehouse: 'wh', table: 'items', column: 'category' }, metric_type: 'max' }, 'metric_type', /numeric column; category is TEXT/],
      [{ target: { warehouse: 'wh', table: 'items', column: 'nope' }, metric_type: 'null_percentage' }, 'target', /no such table or column/],
      [{ target: { warehouse: 'wh', table: 'nowhere', column: 'amount' }, metric_type: 'min' }, 'target', /no such table or column/],
      [[1, 2], 'non_field_errors', /JSON object/],
    ];
    for (const [body, field, message] of cases) {
      const answer = await post(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body[field]?.[0], `${JSON.stringify(body)} -> ${JSON.stringify(answer.body)}`).toMatch(message);
    }
    const before = (await call('GET', '/monitor/monitors')).body.count;
    expect(before).toBe(7); // the five from YAML and the two made above: nothing was half-made
  });

  it('keeps YAML monitors read-only (409), changes API ones, and deletes them (204)', async () => {
    expect(await call('PATCH', `/monitor/monitors/${BROKEN}`, { body: JSON.stringify({ is_enabled: false }) })).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/YAML/) } });
    expect((await call('DELETE', `/monitor/monitors/${BROKEN}`)).status).toBe(409);
    const mine = (await call('GET', '/monitor/monitors?metric_type=mean')).body.results[0];
    const changed = await call('PATCH', `/monitor/monitors/${mine.id}/`, { body: JSON.stringify({ name: 'average amount', condition_manual_max: 500, schedule: { cadence: 'daily', hour: 6 } }) });
    expect(changed).toMatchObject({ status: 200, body: { id: mine.id, name: 'average amount', condition_auto_sensitivity: null, condition_manual_max: 500, frequency: 24, schedule: { cadence: 'daily', hour: 6 } } });
    expect((await call('PATCH', `/monitor/monitors/${mine.id}`, { body: JSON.stringify({ condition_auto_sensitivity: 3 }) })).body).toMatchObject({ condition_auto_sensitivity: 3, condition_manual_max: null });
    expect((await call('PATCH', `/monitor/monitors/${mine.id}`, { body: JSON.stringify({ metric_type: 'row_count' }) })).body).toMatchObject({ target: [expect.stringMatching(/table-level/)] });
    expect((await call('DELETE', `/monitor/monitors/${mine.id}`, { key: keys.viewer })).status).toBe(403);
    expect((await call('DELETE', `/monitor/monitors/${mine.id}`)).status).toBe(204);
    expect((await call('GET', `/monitor/monitors/${mine.id}`)).status).toBe(404);
    expect((await call('DELETE', `/monitor/monitors/${mine.id}`)).status).toBe(404);
  });
});

describe('running monitors as a background job', () => {
  it('answers with the job, which completes with what each monitor measured', async () => {
    const started = await call('POST', '/api/v1/monitor/monitors/run', { body: JSON.stringify({ monitors: [BROKEN, yamlMonitorId('rows')] }), key: keys.editor });
    expect(started.status).toBe(200);
    expect(Object.keys(started.body)).toEqual(['id', 'user', 'failed', 'started', 'completed', 'logs', 'title', 'has_artifact']);
    expect(started.body).toMatchObject({ user: 'editor key', failed: false, completed: null, title: 'Run Monitors', has_artifact: false });
    let job = started.body;
    for (let i = 0; i < 100 && job.completed === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await call('GET', `/background_jobs/${started.body.id}`)).body;
    }
    expect(job).toMatchObject({ id: started.body.id, failed: false, completed: expect.any(String) });
    expect(job.logs).toMatch(/too many rows: incident, value 10/);
    expect(job.logs).toMatch(/rows: normal, value 10/);
  });

  it('refuses a bad list of monitors with 400 and a viewer with 403', async () => {
    for (const body of [{}, { monitors: [] }, { monitors: ['x'] }, { monitors: '00000000-0000-4000-8000-000000000000' }, { monitors: ['00000000-0000-4000-8000-000000000000'] }, { monitors: [BROKEN], extra: 1 }]) {
      expect((await call('POST', '/monitor/monitors/run', { body: JSON.stringify(body) })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await call('POST', '/monitor/monitors/run', { body: JSON.stringify({ monitors: [BROKEN] }), key: keys.viewer })).status).toBe(403);
  });
});

describe('the OpenAPI document', () => {
  it('describes every route, with the query parameters and bodies the server validates, without a key', async () => {
    const { status, body } = await call('GET', '/api/v1/openapi.json', { key: null });
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths).sort()).toEqual([
      '/background_jobs/{job_id}',
      '/monitor/incident/{incident_id}',
      '/monitor/incident/{incident_id}/acknowledge',
      '/monitor/incident/{incident_id}/resolve',
      '/monitor/incidents',
      '/monitor/measurements',
      '/monitor/measurements/{measurement_id}/normal',
      '/monitor/monitors',
      '/monitor/monitors/run',
      '/monitor/monitors/{monitor_id}',
    ]);
    const listParameters = body.paths['/monitor/monitors'].get.parameters;
    expect(listParameters.map((p: { name: string }) => p.name)).toEqual(['status', 'metric_type', 'target', 'integration', 'is_enabled', 'page', 'page_size']);
    expect(listParameters[0].schema.enum).toEqual(['pending', 'learning', 'normal', 'incident', 'error']);
    const create = body.paths['/monitor/monitors'].post.requestBody.content['application/json'].schema;
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.condition_auto_sensitivity.anyOf).toEqual([expect.objectContaining({ type: 'integer', minimum: 1, maximum: 10 }), { type: 'null' }]);
    expect(body.paths['/monitor/monitors/run'].post.requestBody.content['application/json'].schema.required).toEqual(['monitors']);
    expect((await call('GET', '/openapi.json', { key: null })).body).toEqual(body);
  });
});

describe('the write rate limit', () => {
  it('counts the writes of a key across both prefixes: past the limit, 429 with Retry-After', async () => {
    const { base: url } = await fixture.serve({ writeRateLimitPerMinute: 2 });
    const write = (prefix: string) => fetch(`${url}${prefix}/monitor/monitors/run`, { method: 'POST', headers: { authorization: `Bearer ${keys.editor}`, 'content-type': 'application/json' }, body: '{}' });
    expect((await write('')).status).toBe(400);
    expect((await write('/api/v1')).status).toBe(400);
    const third = await write('');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${url}/monitor/monitors`, { headers: { authorization: `Bearer ${keys.editor}` } })).status).toBe(200);
  });
});

describe('monitors on a cloud warehouse', () => {
  it("takes freshness without a timestamp column where the warehouse dates its tables, and a BigQuery table only with its dataset", async () => {
    const served = await fixture.serve({ warehouses: ['wh', 'bq'] });
    const post = async (body: unknown) => {
      const response = await fetch(`${served.base}/monitor/monitors`, { method: 'POST', headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    };
    expect(await post({ target: { warehouse: 'bq', table: 'orders' }, metric_type: 'row_count' })).toMatchObject({
      status: 400,
      body: { 'target.table': ['a bigquery table name needs its dataset: dataset.table or project.dataset.table, got orders'] },
    });
    expect(await post({ target: { warehouse: 'bq', table: 'shop.orders' }, metric_type: 'freshness' })).toMatchObject({
      status: 201,
      body: { name: 'Freshness of shop.orders', metric_type: 'freshness', metric_config: {} },
    });
    expect(await post({ target: { warehouse: 'wh', table: 'items' }, metric_type: 'freshness' })).toMatchObject({
      status: 400,
      body: { metric_config: [expect.stringMatching(/freshness needs metric_config\.timestamp_column/)] },
    });
  });
});
