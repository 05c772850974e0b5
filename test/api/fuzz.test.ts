import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { Logger } from '../../src/domain/logger.js';
import { createApiKey, revokeApiKey } from '../../src/store/api-keys-repo.js';
import { apiFixture, type ApiFixture } from '../helpers/api-server.js';
import { random as prng } from '../helpers/series.js';

/**
 * Issue 5: a storm of malformed or unauthorised requests against the REST API on a real
 * server (loopback HTTP, real SQLite store, real embedded warehouse). Every request is built
 * so that the only right answer is a 4xx: it is unauthorised, or names no route, or carries
 * something the API must refuse (a bad id, a bad query, a body it cannot take). Nothing may
 * answer 2xx/3xx/5xx, every error body is JSON (`detail`, or one list of messages per
 * field), and afterwards the server still serves and the store is as it was.
 *
 * Reproducible: the requests come from a seeded PRNG. VIGIL_FUZZ_SEED=<n> picks another seed,
 * VIGIL_FUZZ_SCALE=<x> multiplies the number of requests.
 *
 * The write routes (POST /monitor/monitors, PATCH/DELETE /monitor/monitors/{id}, POST
 * /monitor/monitors/run) are fuzzed too; without them the answers are 404s, with them
 * 400/401/403/404 - never a success, since nothing sent could legitimately succeed: a real
 * path id only ever goes with a key that may not do it, a method the route does not have,
 * or a body that fails to parse (or is over the size limit), never with a body a handler
 * could act on; JSON bodies that parse go to unknown or malformed ids, or carry a value no
 * field takes (every object has a bad metric_type, monitors, target and is_enabled).
 */

const SEED = Number(process.env.VIGIL_FUZZ_SEED ?? 20261128) >>> 0;
const SCALE = Number(process.env.VIGIL_FUZZ_SCALE ?? 1);
const CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 20_000;
const STORM_TIMEOUT_MS = 180_000;

let fixture: ApiFixture;
let app: App;
let base: string;
const keys = { admin: '', viewer: '', revoked: '' };
/** Real ids from the seeded store, mixed into requests that must fail anyway. */
const real = { monitors: [] as string[], incidents: [] as string[], measurements: [] as string[], targets: [] as string[], integrations: [] as string[] };
let before: Snapshot;

/** What the server logged as errors (a 500 logs its method, url and error): reported with the failures. */
const logged: Array<{ fields: Record<string, unknown>; message: string }> = [];
const capturingLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (fields, message) => void logged.push({ fields: fields as Record<string, unknown>, message }),
};

// ---------------------------------------------------------------------------------------
// The store before and after

type Snapshot = Record<string, unknown[]>;

async function snapshot(): Promise<Snapshot> {
  const db = app.db;
  return {
    monitors: await db.selectFrom('monitors').selectAll().orderBy('id').execute(),
    incidents: await db.selectFrom('incidents').selectAll().orderBy('id').execute(),
    incident_actions: await db.selectFrom('incident_actions').selectAll().orderBy('id').execute(),
    measurements: await db.selectFrom('measurements').select(['id', 'monitor_id', 'status', 'marked_normal', 'incident_id', 'updated_at']).orderBy('id').execute(),
    // last_used_at moves when a key is used: not a change a request asked for.
    api_keys: await db.selectFrom('api_keys').select(['id', 'name', 'role', 'lookup', 'secret_hash', 'created_at', 'revoked_at']).orderBy('id').execute(),
    background_jobs: await db.selectFrom('background_jobs').selectAll().orderBy('id').execute(),
    outbox: await db.selectFrom('outbox').select(['id', 'status', 'event']).orderBy('id').execute(),
    targets: await db.selectFrom('targets').selectAll().orderBy('id').execute(),
    integrations: await db.selectFrom('integrations').selectAll().orderBy('id').execute(),
  };
}

beforeAll(async () => {
  fixture = await apiFixture();
  app = fixture.app;
  const { clock } = fixture;
  keys.admin = (await createApiKey(app.db, { name: 'admin key', role: 'admin' }, clock.now())).key;
  keys.viewer = (await createApiKey(app.db, { name: 'viewer key', role: 'viewer' }, clock.now())).key;
  keys.revoked = (await createApiKey(app.db, { name: 'revoked key', role: 'admin' }, clock.now())).key;
  await revokeApiKey(app.db, 'revoked key', clock.now());
  // No write rate limit: a 429 would hide what each request is refused for.
  ({ base } = await fixture.serve({ logger: capturingLogger }));

  real.monitors = (await app.db.selectFrom('monitors').select('id').execute()).map((r) => r.id);
  real.incidents = (await app.db.selectFrom('incidents').select('id').execute()).map((r) => r.id);
  real.measurements = (await app.db.selectFrom('measurements').select('id').execute()).map((r) => r.id);
  real.targets = (await app.db.selectFrom('targets').select('id').execute()).map((r) => r.id);
  real.integrations = (await app.db.selectFrom('integrations').select('id').execute()).map((r) => r.id);
  if (real.monitors.length === 0 || real.incidents.length === 0 || real.measurements.length === 0) throw new Error('the seeded store has no runs');
  before = await snapshot();
}, 60_000);

afterAll(async () => {
  await fixture?.close();
});

// ---------------------------------------------------------------------------------------
// A seeded PRNG (mulberry32, test/helpers/series.ts) and helpers

const random = prng(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const chance = (p: number) => random() < p;
function pick<T>(items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from nothing');
  return items[Math.floor(random() * items.length)]!;
}
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
/** A well-formed UUID that names nothing (random v4, never one of the store's). */
const unknownUuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;

const CHAR_POOLS = [
  'abcdefghijklmnopqrstuvwxyz0123456789-_',
  'ÄÖÜäöüßéèçñ',
  'кириллицаΩπΣ中文日本語한국어',
  '🙂🔥💥👩‍👩‍👧‍👦🏳️‍🌈',
  '\u0000\u0001\u001f\u007f\u200b\u202e\ufeff\ufffd',
  ' !"#$%&\'()*+,./:;<=>?@[\\]^`{|}~',
];
function junk(length: number): string {
  let out = '';
  while (out.length < length) out += pick(pick(CHAR_POOLS).match(/./gu)!);
  return out;
}

// ---------------------------------------------------------------------------------------
// Routes

type IdKind = 'monitor' | 'incident' | 'measurement' | 'job';
interface Route {
  /** `{id}` stands for a path id. */
  path: string;
  id?: IdKind;
  /** Methods that exist on it, today or once the routes being added are in. */
  methods: string[];
  /** Open (no key), outside the API's auth: only ever sent with a method it does not have. */
  ops?: boolean;
  /** Served under both prefixes (otherwise only at the root, as the ops endpoints). */
  prefixed?: boolean;
}

const ROUTES: Route[] = [
  { path: '/monitor/monitors', methods: ['GET', 'HEAD', 'POST'] },
  { path: '/monitor/monitors/{id}', id: 'monitor', methods: ['GET', 'HEAD', 'PATCH', 'DELETE'] },
  { path: '/monitor/monitors/run', methods: ['POST'] },
  { path: '/monitor/incidents', methods: ['GET', 'HEAD'] },
  { path: '/monitor/incident/{id}', id: 'incident', methods: ['GET', 'HEAD'] },
  { path: '/monitor/incident/{id}/acknowledge', id: 'incident', methods: ['POST'] },
  { path: '/monitor/incident/{id}/resolve', id: 'incident', methods: ['POST'] },
  { path: '/monitor/measurements', methods: ['GET', 'HEAD'] },
  { path: '/monitor/measurements/{id}/normal', id: 'measurement', methods: ['POST'] },
  { path: '/background_jobs/{id}', id: 'job', methods: ['GET', 'HEAD'] },
];
const OPS_ROUTES: Route[] = [
  ...['/healthz', '/readyz', '/metrics'].map((path) => ({ path, methods: ['GET', 'HEAD'], ops: true })),
  { path: '/openapi.json', methods: ['GET', 'HEAD'], ops: true, prefixed: true },
];
const API_ROUTES = ROUTES;
const ID_ROUTES = ROUTES.filter((r) => r.id !== undefined);
const POST_ID_ROUTES = ROUTES.filter((r) => r.id !== undefined && r.methods.includes('POST'));
/** Where a JSON body is (or will be) read. */
const BODY_ROUTES = ['/monitor/monitors', '/monitor/monitors/run', '/monitor/monitors/{id}', '/monitor/incident/{id}/acknowledge', '/monitor/incident/{id}/resolve', '/monitor/measurements/{id}/normal'];

const STD_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Methods no route has; 'BREW' and 'WHEN' are not HTTP methods at all (refused by the HTTP parser). */
const ODD_METHODS = ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'PURGE', 'SEARCH', 'REPORT', 'SUBSCRIBE', 'BREW', 'WHEN'];
const hasBody = (method: string) => method !== 'GET' && method !== 'HEAD';

function realId(kind: IdKind): string {
  switch (kind) {
    case 'monitor':
      return pick(real.monitors);
    case 'incident':
      return pick(real.incidents);
    case 'measurement':
      return pick(real.measurements);
    case 'job':
      return unknownUuid(); // there are none
  }
}

/** A path segment as sent: percent-encoded, never a dot segment the URL parser would drop. */
function segment(id: string): string {
  if (id === '.' || id === '..') return '...';
  return encodeURIComponent(id);
}

function pathFor(route: Route, rawIdSegment?: string): string {
  const prefix = route.ops === true && route.prefixed !== true ? '' : pick(['', '/api/v1']);
  let path = route.path.replace('{id}', rawIdSegment ?? '');
  if (chance(0.4)) path += '/';
  return prefix + path;
}

// ---------------------------------------------------------------------------------------
// Bad path ids (never a UUID)

const SAMPLE = '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b';
function badId(): { id: string; tag: string } {
  const r = random();
  const someReal = pick([...real.monitors, ...real.incidents, ...real.measurements]);
  if (r < 0.45) {
    return {
      tag: 'fixed',
      id: pick([
        'not-a-uuid', '123', '0', '-1', '1e400', '99999999999999999999', '-0', '0x10', 'NaN', 'Infinity', 'null', 'undefined', 'true',
        '[]', '{}', '\u0000', `${someReal}\u0000`, `${someReal} `, ` ${someReal}`, `${someReal}x`, someReal.slice(0, -1), someReal.replace(/-/g, ''),
        `{${someReal}}`, `urn:uuid:${someReal}`, someReal.replace(/[0-9a-f]$/, 'g'), someReal.replace(/-/g, '\u2010'), someReal.replace(/-/g, '_'),
        `${someReal}/x`, `${someReal}?x=1`, `${someReal}#x`, `${someReal};x`, '../', '../../etc/passwd', '..\\..\\windows', '...', '.', '..',
        'run', 'me', 'all', '*', '%', '%25', '%00', ' ', '\t', '\n', '🙂', 'ünïcødé', '中文', 'кириллица', '\u202eevil', '０ｂ１ｃ２ｄ３ｅ-４ｆ５０-４６１７-８ａ９ｂ-０ｃ１ｄ２ｅ３ｆ４ａ５ｂ',
        "'; DROP TABLE monitors; --", '<script>alert(1)</script>', '${jndi:ldap://x}', SAMPLE.toUpperCase().replace('4', 'X'),
      ]),
    };
  }
  if (r < 0.9) return { tag: 'random', id: junk(int(1, 90)) };
  if (r < 0.985) return { tag: 'long', id: junk(int(101, 3000)) };
  return { tag: 'very-long', id: 'x'.repeat(int(20_000, 40_000)) };
}

/** A segment that is not valid percent-encoding at all: the URL itself is bad. */
const badPercentSegment = () => pick(['%', '%zz', '%E0%A4%A', '%C3%28', '%u0041', 'abc%', '%%', `${SAMPLE}%`, '%F0%9F%99']);

// ---------------------------------------------------------------------------------------
// Bodies

interface Body {
  text?: string;
  bytes?: Uint8Array;
  contentType?: string | null;
  tag: string;
}

const DEEP_ARRAY = '['.repeat(10_000) + ']'.repeat(10_000);
const DEEP_OBJECT = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
const DEEPER_ARRAY = '['.repeat(100_000) + ']'.repeat(100_000);
const hugeString = (n: number) => junk(64).repeat(Math.ceil(n / 64)).slice(0, n);

/** Bodies that fail before any handler sees them: not JSON, a content type the API does not take, empty, or over 1 MiB. */
function unparseableBody(): Body {
  const r = random();
  if (r < 0.42) {
    return {
      tag: 'bad-json',
      contentType: 'application/json',
      text: pick([
        '{"oops": ', '{', '}', '[', ']', '{"a":1,}', '[1,2,]', "{'a':1}", '{a:1}', 'NaN', 'Infinity', '-Infinity', 'undefined', '{"a":undefined}',
        '{"a":1}garbage', '{"a":1}{"b":2}', '1 2', '01', '.5', '+1', '0x10', '-', '"unterminated', '[1,2', 'tru', 'nul', '{"a":1e}', '{"\\u00zz":1}',
        '{"a":"\\x41"}', '//comment\n{}', '/*c*/{}', '{"a":1}\u0000', ' ', '\n\t ', '\u0000', '🙂', '{"ключ": значение}', '{"a": "🙂"', '{"a":\n',
        '{"monitors": [', '{"is_enabled": tru}', '["a" "b"]', '{"a" 1}', '{,}', '[,]', '{"a":1 "b":2}', '<xml/>', 'a=1&b=2', "{\"a\":'b'}",
        '{"a":"line\nbreak"}', '{"a":"tab\there"}', '{"a":"\\ud800', '\\u0041', '{"__proto__": {"x": 1}', '{"a": 1}}', '[]]',
      ]),
    };
  }
  if (r < 0.5) return { tag: 'bad-json-large', contentType: 'application/json', text: `{"a":"${hugeString(int(50_000, 400_000))}` };
  if (r < 0.54) return { tag: 'bad-json-deep', contentType: 'application/json', text: pick(['['.repeat(10_000), '{"a":'.repeat(10_000), DEEP_ARRAY.slice(0, -1), `${DEEP_ARRAY}]`]) };
  if (r < 0.58) return { tag: 'bad-utf8', contentType: 'application/json', bytes: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0xfe, 0xc3, 0x28, 0x7d]) };
  if (r < 0.7) {
    return {
      tag: 'prototype-pollution',
      contentType: 'application/json',
      text: pick([
        '{"__proto__": {"isAdmin": true}}',
        '{"monitors": [], "__proto__": {"role": "admin"}}',
        '{"a": {"__proto__": {"polluted": 1}}}',
        '[{"__proto__": 1}]',
        '{"constructor": {"prototype": {"polluted": 1}}}',
        '{"a": [{"constructor": {"prototype": {"polluted": 1}}}]}',
      ]),
    };
  }
  if (r < 0.88) {
    const ct = pick([
      'text/plain', 'text/html', 'text/json', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
      'application/octet-stream', 'image/png', 'application/javascript', 'application/yaml', '*/*', 'json', 'application', 'application/',
    ]);
    return { tag: 'wrong-content-type', contentType: ct, text: pick(['{}', '{"monitors": []}', '[]', 'hello', `{"monitors": ["${pick(real.monitors)}"]}`, '']) };
  }
  if (r < 0.93) return { tag: 'no-content-type', contentType: null, bytes: new TextEncoder().encode(pick(['{}', '{"monitors": []}', '[]', 'x'])) };
  if (r < 0.985) return { tag: 'empty-json', contentType: 'application/json', text: '' };
  return { tag: 'over-1MiB', contentType: 'application/json', text: JSON.stringify({ pad: hugeString(int(1_050_000, 1_600_000)) }) };
}

/** Values that no field of a monitor, a run or a patch takes. */
const POISON = {
  metric_type: () => pick<unknown>(['🙂', 'not_a_metric', 123, true, [], {}, 'row_count; DROP TABLE monitors', 'x'.repeat(1000), -1, 1e308]),
  monitors: () => pick<unknown>(['all', 123, [123], ['not-a-uuid'], {}, [null], [[]], true, [{}], 'x'.repeat(500), [1e308]]),
  target: () => pick<unknown>(['not-a-uuid', 123, {}, [], true, '🙂', `${SAMPLE}x`]),
  is_enabled: () => pick<unknown>(['maybe', 2, [], {}, 'yes', -1, 'on']),
};
const WRONG_VALUES = (): unknown => pick<unknown>([123, -0, 1.5, '', 'x', '🙂', '\u0000', true, false, [], {}, [1, 'a', null], { nested: { deeper: [{}] } }, 99999999999999999999, -1e308, 'ünïcødé'.repeat(50)]);
const FIELD_NAMES = ['name', 'target', 'metric_type', 'metric_config', 'is_enabled', 'condition_auto_sensitivity', 'condition_manual_min', 'condition_manual_max', 'schedule', 'frequency', 'monitors', 'status', 'id', 'workspace', 'integration', '🙂', 'ключ', '', ' ', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '\u0000'];

/** Every object body carries all four poisons: whichever route reads it must refuse it. */
function poisonedObject(): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = int(0, 6); i > 0; i--) object[pick(FIELD_NAMES)] = WRONG_VALUES();
  object.metric_type = POISON.metric_type();
  object.monitors = POISON.monitors();
  object.target = POISON.target();
  object.is_enabled = POISON.is_enabled();
  return object;
}

/** JSON that parses, but is of the wrong type or has fields of the wrong type (only sent where a handler must refuse it). */
function wrongJsonBody(route: Route): Body {
  const ct = 'application/json';
  const r = random();
  if (r < 0.2) return { tag: 'json-scalar', contentType: ct, text: pick(['null', 'true', 'false', '0', '-0', '1e400', '-1e400', '99999999999999999999', '1.5', '"string"', '"🙂"', '"\\u0000"', '""', '"' + SAMPLE + '"']) };
  if (r < 0.35) {
    return {
      tag: 'json-array',
      contentType: ct,
      text: pick(['[]', '[1,2,3]', '[null]', JSON.stringify(real.monitors), '[{}]', JSON.stringify([{ monitors: real.monitors }]), '[[[]]]', JSON.stringify(junk(30).split(''))]),
    };
  }
  if (r < 0.65) return { tag: 'json-wrong-fields', contentType: ct, text: JSON.stringify(poisonedObject()) };
  if (r < 0.72) {
    // Numbers JSON can spell but JavaScript cannot hold.
    const text = JSON.stringify(poisonedObject()).replace(/^\{/, `{"condition_manual_min": 1e400, "condition_manual_max": -1e400, "frequency": 99999999999999999999999, "condition_auto_sensitivity": -0, `);
    return { tag: 'json-huge-numbers', contentType: ct, text };
  }
  if (r < 0.8) {
    const deep = pick([DEEP_ARRAY, DEEP_OBJECT, DEEPER_ARRAY]);
    const whole = chance(0.5);
    return { tag: deep === DEEPER_ARRAY ? 'json-deep-100k' : 'json-deep-10k', contentType: ct, text: whole ? deep : JSON.stringify(poisonedObject()).replace(/^\{/, `{"metric_config": ${deep}, "name": ${deep}, `) };
  }
  if (r < 0.88) {
    const huge = hugeString(int(50_000, 400_000));
    return { tag: 'json-huge-string', contentType: ct, text: chance(0.3) ? JSON.stringify(huge) : JSON.stringify({ ...poisonedObject(), name: huge, metric_config: { query_select: huge } }) };
  }
  if (r < 0.94) {
    // Prototype keys JSON.parse keeps (constructor as a plain value, escaped spellings).
    const key = pick(['constructor', 'prototype', '\\u005f\\u005fproto\\u005f\\u005f', '__proto__ ', ' __proto__', '__PROTO__', 'toString', 'hasOwnProperty']);
    return { tag: 'json-prototype-keys', contentType: ct, text: JSON.stringify(poisonedObject()).replace(/^\{/, `{"${key}": {"polluted": true}, `) };
  }
  if (route.path === '/monitor/monitors') {
    // Missing fields: nothing names what the monitor watches.
    return { tag: 'json-missing-fields', contentType: ct, text: pick(['{}', '{"name": "x"}', '{"is_enabled": false}', '{"metric_type": "row_count"}', '{"schedule": {"cadence": "daily"}}']) };
  }
  return { tag: 'json-unicode', contentType: `${ct}; charset=utf-8`, text: JSON.stringify({ ...poisonedObject(), '🙂': '💥'.repeat(100), 'кл\u0000юч': '\u202e\ufeff' }) };
}

/** A body a handler could accept: sent only with a key that may not write. */
function plausibleBody(route: Route): Body {
  const ct = 'application/json';
  switch (route.path) {
    case '/monitor/monitors':
      return { tag: 'plausible', contentType: ct, text: JSON.stringify({ target: pick(real.targets), metric_type: 'row_count', is_enabled: true, condition_auto_sensitivity: 5 }) };
    case '/monitor/monitors/run':
      return { tag: 'plausible', contentType: ct, text: pick(['{}', JSON.stringify({ monitors: [pick(real.monitors)] })]) };
    case '/monitor/monitors/{id}':
      return { tag: 'plausible', contentType: ct, text: JSON.stringify({ is_enabled: false }) };
    default:
      return { tag: 'plausible', contentType: ct, text: '{}' };
  }
}

function anyBody(route: Route): Body | undefined {
  const r = random();
  if (r < 0.25) return undefined;
  if (r < 0.5) return plausibleBody(route);
  if (r < 0.75) return wrongJsonBody(route);
  return unparseableBody();
}

// ---------------------------------------------------------------------------------------
// Query strings

type Param = [string, string];

const enc = encodeURIComponent;
const MONITOR_STATUSES = ['pending', 'learning', 'normal', 'incident', 'error'];
const INCIDENT_STATUSES = ['active', 'acknowledged', 'resolved'];

const badNumber = () =>
  pick(['0', '-1', '-0', '1e400', '1e3', '1E2', '99999999999999999999', '9007199254740993', '1.5', '1.0', 'abc', '', ' 1', '1 ', '１', '٣', '0x10', '+1', 'NaN', 'Infinity', '-Infinity', 'null', 'undefined', '[]', '\u0000', '1\u0000', '🙂', '2,3', '1e-5', '0.0', '−1', junk(int(1, 40))]);
const badPageSize = () => pick([badNumber(), '501', '1000000', '18446744073709551616', '500.5', '5e2']);
const badEnum = (allowed: string[]) => {
  const value = pick(['', 'INCIDENT', 'Active', 'incident ', ' normal', 'sleepy', '🙂', '\u0000', 'ａctive', 'row_count\u0000', 'x'.repeat(2000), "'; DROP TABLE monitors;--", '%', 'null', 'true', '*', 'incident,normal', junk(int(1, 60))]);
  return allowed.includes(value) ? `${value}!` : value;
};
const badUuid = () => {
  const someReal = pick([...real.monitors, ...real.incidents]);
  return pick(['not-a-uuid', '123', `${someReal}x`, someReal.replace(/-/g, ''), `{${someReal}}`, `urn:uuid:${someReal}`, someReal.replace(/.$/, 'g'), ` ${someReal}`, `${someReal}\u0000`, '🙂', '', '../etc/passwd', 'x'.repeat(5000), '1e400', junk(int(1, 60))]);
};
const badBool = () => pick(['maybe', 'TRUE', 'False', 'yes', 'no', '2', '-1', '', 'truee', 'true\u0000', '🙂', 'null', 'on', '00', '1.0', junk(int(1, 20))]);
const badTime = () =>
  pick([
    'yesterday', 'now', 'today', '2026-11-28T12:00:00', '2026-11-28 12:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10', '2026-11-00', '2026-11-28T25:00:00Z', '2026-11-28T12:60:00Z',
    '2026-11-28T12:00:61Z', '1e400', '-1', '0', '1732795200', '1732795200000', '2026-W48', '2026-332', '+002026-11-28T00:00:00Z', '２０２６-11-28', '2026-11-28T12:00:00+99:99',
    '2026-11-28T12:00Z ', ' 2026-11-28', 'T', '', '🙂', '\u0000', 'x'.repeat(3000), '2026-11-28T12:00:00.1234567890Z', '2026/11/28', '28-11-2026', 'Sat, 28 Nov 2026 12:00:00 GMT',
    '2026-11-28T12:00:00ZZ', '2026-11-28TT12:00:00Z', '99999-01-01', '2026-11-28T12:00:00+01', '2026-1-1', 'null', '2026-11-28T12:00:00 Z', '2026-11-28t12:00:00z\u0000', junk(int(1, 30)),
  ]);
/** Dates the calendar does not have, in the API's own format: JavaScript rolls them over (Feb 30 = Mar 2). */
const impossibleDate = () => pick(['2026-02-30', '2026-02-31T00:00:00Z', '2026-04-31T12:00:00Z', '2025-02-29', '2026-06-31T00:00:00+02:00', '2026-09-31', '2026-11-31T23:59:59Z']);

interface ListSpec {
  path: string;
  /** Makes a parameter that is certainly refused, with a tag. */
  bad: Array<() => [Param, string]>;
  /** Valid parameters that may ride along. */
  good: () => Param[];
}

const PAGING_BAD: Array<() => [Param, string]> = [() => [['page', badNumber()], 'page'], () => [['page_size', badPageSize()], 'page_size'], () => [['page', pick(['1e400', '99999999999999999999', '-0', '18446744073709551615'])], 'huge-number']];

const LISTS: ListSpec[] = [
  {
    path: '/monitor/monitors',
    bad: [
      ...PAGING_BAD,
      () => [['status', badEnum(MONITOR_STATUSES)], 'enum'],
      () => [['metric_type', badEnum(['row_count', 'null_percentage', 'max', 'min', 'mean'])], 'enum'],
      () => [['target', badUuid()], 'uuid'],
      () => [['integration', badUuid()], 'uuid'],
      () => [['is_enabled', badBool()], 'bool'],
    ],
    good: () => [pick<Param>([['status', 'incident'], ['is_enabled', 'true'], ['page', '1'], ['page_size', '2'], ['target', pick(real.targets)], ['metric_type', 'row_count']])],
  },
  {
    path: '/monitor/incidents',
    bad: [...PAGING_BAD, () => [['status', badEnum(INCIDENT_STATUSES)], 'enum'], () => [['monitor', badUuid()], 'uuid']],
    good: () => [pick<Param>([['status', 'active'], ['monitor', pick(real.monitors)], ['page', '1'], ['page_size', '50']])],
  },
  {
    path: '/monitor/measurements',
    bad: [
      ...PAGING_BAD,
      () => [['monitor', badUuid()], 'uuid'],
      () => [['incident_id', badUuid()], 'uuid'],
      () => [['from', badTime()], 'time'],
      () => [['to', badTime()], 'time'],
    ],
    good: () => [pick<Param>([['monitor', pick(real.monitors)], ['incident_id', pick(real.incidents)], ['from', '2026-11-28T12:00:00Z'], ['to', '2026-11-29']])],
  },
];

/** Parameters nobody reads: noise around the bad one. */
function noise(): string[] {
  const out: string[] = [];
  for (let i = int(0, 3); i > 0; i--) {
    out.push(
      pick([
        `${enc(junk(int(1, 10)))}=${enc(junk(int(0, 20)))}`, '__proto__=x', '__proto__[admin]=1', 'constructor=x', 'constructor[prototype][x]=1', 'hasOwnProperty=x', 'toString=1',
        'page[]=1', 'a[b][c]=d', '=', '&', '==', 'x', '%zz=1', 'y=%', '%00=%00', `${enc('🙂')}=${enc('💥')}`, 'q=' + 'z'.repeat(int(100, 2000)),
      ]),
    );
  }
  return out;
}

function badQuery(spec: ListSpec): { query: string; tags: string[] } {
  const parts: string[] = [];
  const tags: string[] = [];
  const wantMissing = spec.path === '/monitor/measurements' && chance(0.12);
  if (!wantMissing) {
    for (let i = int(1, 3); i > 0; i--) {
      const make = pick(spec.bad);
      const [[name, value], tag] = make();
      tags.push(tag);
      if (chance(0.15)) {
        // The same parameter twice: refused even with good values.
        parts.push(`${enc(name)}=${enc(value)}`, `${enc(name)}=${enc(value)}`);
        tags.push('repeated');
      } else parts.push(`${enc(name)}=${enc(value)}`);
    }
    if (spec.path === '/monitor/measurements' && !parts.some((p) => p.startsWith('monitor=') || p.startsWith('incident_id='))) parts.push(`monitor=${pick(real.monitors)}`);
  } else {
    tags.push('missing-required');
    if (chance(0.5)) parts.push(`from=${enc('2026-11-28T12:00:00Z')}`);
  }
  if (!wantMissing && chance(0.3)) parts.push(...spec.good().map(([k, v]) => `${k}=${enc(v)}`));
  if (chance(0.1)) {
    // Repeated parameter with good values only.
    const [k, v] = pick(spec.good());
    parts.push(`${k}=${enc(v)}`, `${k}=${enc(v)}`);
    tags.push('repeated');
  }
  if (chance(0.5)) {
    parts.push(...noise());
    tags.push('noise');
  }
  // Shuffle.
  for (let i = parts.length - 1; i > 0; i--) {
    const j = int(0, i);
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  }
  return { query: parts.join('&'), tags };
}

// ---------------------------------------------------------------------------------------
// Authorization headers

function badAuthorization(): { header: string | null; tag: string } {
  const key = pick([keys.admin, keys.viewer]);
  const r = random();
  if (r < 0.2) return { header: null, tag: 'missing' };
  const flip = (k: string) => {
    const i = int(19, k.length - 1); // inside the secret
    const c = k[i] === 'A' ? 'B' : 'A';
    return k.slice(0, i) + c + k.slice(i + 1);
  };
  const candidates: Array<[string, string]> = [
    [`Basic ${Buffer.from('admin:admin').toString('base64')}`, 'malformed'],
    ['Bearer', 'malformed'],
    ['', 'malformed'],
    [`Token ${key}`, 'malformed'],
    [key, 'malformed'],
    [`Bearer ${key} extra`, 'malformed'],
    [`Bearer ${key}, Bearer ${key}`, 'malformed'],
    [`Bearer: ${key}`, 'malformed'],
    [`Bearer=${key}`, 'malformed'],
    [`Bearer"${key}"`, 'malformed'],
    [`Bearer ${key}x`, 'wrong-key'],
    [`Bearer ${key.slice(0, -1)}`, 'wrong-key'],
    [`Bearer ${flip(key)}`, 'wrong-key'],
    [`Bearer ${key.replace(/^vigil_[0-9a-f]{12}/, `vigil_${hex(12)}`)}`, 'wrong-key'],
    [`Bearer vigil_${hex(12)}_${'A'.repeat(43)}`, 'wrong-key'],
    [`Bearer ${keys.revoked}`, 'revoked-key'],
    [`Bearer ${key.toUpperCase()}`, 'wrong-key'],
    [`Bearer ${'\u00ff\u00e9\u00e8'.repeat(10)}`, 'wrong-key'],
    [`Bearer ${'A'.repeat(int(1000, 8000))}`, 'wrong-key'],
    ['Bearer null', 'wrong-key'],
    ['Bearer undefined', 'wrong-key'],
    ['Bearer <script>', 'wrong-key'],
    [`Bearer ${"' OR 1=1 --"}`, 'malformed'],
    [`Bearer vigil_${"' OR '1'='1"}_x`, 'malformed'],
    ['Bearer %00', 'wrong-key'],
  ];
  const [header, tag] = pick(candidates);
  return { header, tag };
}

// ---------------------------------------------------------------------------------------
// The plan: every request, with what makes it wrong

interface Plan {
  kind: string;
  tags: string[];
  method: string;
  path: string;
  authorization: string | null;
  body?: Body;
}

const bearer = (key: string) => `Bearer ${key}`;
const withQuery = (path: string, query: string) => (query === '' ? path : `${path}?${query}`);

function planNoAuth(kind: 'no-or-bad-auth'): Plan {
  const route = pick(API_ROUTES);
  // Mostly a method the route has, so that the key is what is refused (else it is a 404).
  const method = chance(0.8) ? pick(route.methods) : pick(STD_METHODS);
  const id = route.id === undefined ? undefined : chance(0.7) ? realId(route.id) : chance(0.5) ? unknownUuid() : badId().id;
  let path = pathFor(route, id === undefined ? undefined : segment(id) || 'x');
  if (chance(0.2)) path = withQuery(path, noise().join('&'));
  const auth = badAuthorization();
  const body = hasBody(method) ? anyBody(route) : undefined;
  return { kind, tags: [`auth:${auth.tag}`, ...(body ? [`body:${body.tag}`] : [])], method, path, authorization: auth.header, body };
}

function planViewerWrite(): Plan {
  const writable = API_ROUTES.filter((r) => r.methods.some(hasBody));
  const route = chance(0.85) ? pick(writable) : pick(API_ROUTES);
  const own = route.methods.filter(hasBody);
  const method = own.length > 0 && chance(0.85) ? pick(own) : pick(['POST', 'PUT', 'PATCH', 'DELETE']);
  const id = route.id === undefined ? undefined : chance(0.8) ? realId(route.id) : unknownUuid();
  const path = pathFor(route, id === undefined ? undefined : segment(id));
  const body = anyBody(route);
  return { kind: 'viewer-write', tags: ['auth:viewer-writes', ...(body ? [`body:${body.tag}`] : [])], method, path, authorization: bearer(keys.viewer), body };
}

function planWrongMethod(): Plan {
  const route = pick([...API_ROUTES, ...API_ROUTES, ...OPS_ROUTES]);
  const odd = chance(0.15);
  const methods = (odd ? ODD_METHODS : STD_METHODS).filter((m) => !route.methods.includes(m));
  const method = pick(methods);
  const id = route.id === undefined ? undefined : chance(0.7) ? realId(route.id) : unknownUuid();
  const path = pathFor(route, id === undefined ? undefined : segment(id));
  // A wrong method never reaches a handler: any body will do, even one that would be accepted.
  const body = hasBody(method) && chance(0.5) ? (chance(0.5) ? plausibleBody(route) : wrongJsonBody(route)) : undefined;
  return { kind: 'wrong-method', tags: [odd ? (method === 'BREW' || method === 'WHEN' ? 'method:not-http' : 'method:webdav-etc') : `method:${method}`, ...(body ? [`body:${body.tag}`] : [])], method, path, authorization: bearer(keys.admin), body };
}

function planBadPathId(): Plan {
  const route = pick(ID_ROUTES);
  let { id, tag } = badId();
  if (id === '' && route.id === 'monitor') id = 'x';
  const method = pick(route.methods.filter((m) => m !== 'HEAD' || chance(0.3)));
  const rawPercent = chance(0.04);
  const path = pathFor(route, rawPercent ? badPercentSegment() : segment(id));
  const body = hasBody(method) && chance(0.6) ? (chance(0.5) ? wrongJsonBody(route) : chance(0.5) ? plausibleBody(route) : unparseableBody()) : undefined;
  return {
    kind: 'bad-path-id',
    tags: [rawPercent ? 'id:bad-percent-encoding' : `id:${tag}`, ...(body ? [`body:${body.tag}`] : [])],
    method,
    path,
    authorization: bearer(chance(0.8) || hasBody(method) ? keys.admin : keys.viewer),
    body,
  };
}

function planUnknownId(): Plan {
  const route = pick(ID_ROUTES);
  const method = pick(route.methods);
  const id = pick([unknownUuid, unknownUuid, unknownUuid, () => unknownUuid().toUpperCase(), () => '00000000-0000-0000-0000-000000000000', () => 'ffffffff-ffff-ffff-ffff-ffffffffffff'])();
  const path = pathFor(route, segment(id));
  const body = hasBody(method) && chance(0.6) ? (chance(0.5) ? wrongJsonBody(route) : plausibleBody(route)) : undefined;
  return { kind: 'unknown-id', tags: ['id:unknown-uuid', ...(body ? [`body:${body.tag}`] : [])], method, path, authorization: bearer(keys.admin), body };
}

function planBadQuery(): Plan {
  const spec = pick(LISTS);
  const route = ROUTES.find((r) => r.path === spec.path)!;
  const { query, tags } = badQuery(spec);
  const method = chance(0.1) ? 'HEAD' : 'GET';
  return { kind: 'bad-query', tags: tags.map((t) => `query:${t}`), method, path: withQuery(pathFor(route), query), authorization: bearer(pick([keys.admin, keys.viewer])) };
}

function planBadTime(impossible: boolean): Plan {
  const route = ROUTES.find((r) => r.path === '/monitor/measurements')!;
  const which = pick(['monitor', 'incident_id']);
  const id = which === 'monitor' ? pick(real.monitors) : pick(real.incidents);
  const time = impossible ? impossibleDate() : badTime();
  const query = pick([
    `${which}=${id}&from=${enc(time)}`,
    `${which}=${id}&to=${enc(time)}`,
    `from=${enc(time)}&${which}=${id}&to=${enc(impossible ? time : badTime())}`,
    `${which}=${id}&from=2026-11-28T12:00:00Z&to=${enc(time)}`,
  ]);
  return { kind: impossible ? 'impossible-date' : 'bad-time', tags: [impossible ? 'query:impossible-date' : 'query:time'], method: 'GET', path: withQuery(pathFor(route), query), authorization: bearer(keys.admin) };
}

/** Bodies that fail to parse (or are too big): safe even with a real id, no handler runs. */
function planUnparseableBody(): Plan {
  const routePath = pick(BODY_ROUTES);
  const route = ROUTES.find((r) => r.path === routePath)!;
  const method = route.path === '/monitor/monitors/{id}' ? 'PATCH' : 'POST';
  const id = route.id === undefined ? undefined : chance(0.75) ? realId(route.id) : unknownUuid();
  const body = unparseableBody();
  return { kind: 'unparseable-body', tags: [`body:${body.tag}`], method, path: pathFor(route, id === undefined ? undefined : segment(id)), authorization: bearer(keys.admin), body };
}

/** JSON a handler must refuse: only to routes that read it, never with a real id on a route that ignores its body. */
function planWrongJsonBody(): Plan {
  const routePath = pick(['/monitor/monitors', '/monitor/monitors', '/monitor/monitors/run', '/monitor/monitors/run', '/monitor/monitors/{id}', '/monitor/incident/{id}/acknowledge', '/monitor/incident/{id}/resolve', '/monitor/measurements/{id}/normal']);
  const route = ROUTES.find((r) => r.path === routePath)!;
  const method = route.path === '/monitor/monitors/{id}' ? 'PATCH' : 'POST';
  const id = route.id === undefined ? undefined : chance(0.5) ? unknownUuid() : badId().id || 'x';
  const body = wrongJsonBody(route);
  return { kind: 'wrong-json-body', tags: [`body:${body.tag}`], method, path: pathFor(route, id === undefined ? undefined : segment(id)), authorization: bearer(keys.admin), body };
}

function planUnknownPath(): Plan {
  const m = pick(real.monitors);
  const i = pick(real.incidents);
  const ms = pick(real.measurements);
  const tail = pick([
    '/monitor/Monitors', '/Monitor/monitors', '/monitor/monitorss', '/monitor/monitor', '/monitor', '/monitors', '/monitor/incidents/extra', '/monitor/incident',
    '/monitor/measurement', `/monitor/measurements/${ms}`, '/background_jobs', `/background_jobs/${SAMPLE}/x`, `/monitor/monitors/${m}/x`, `/monitor/incident/${i}/reopen`,
    `/monitor/incident/${i}/acknowledge/extra`, `/monitor/incidents/${i}`, '/🙂', '/%00', '/..%2F..%2Fetc%2Fpasswd', '/monitor%2Fmonitors', '/monitor/monitors%00',
    '/monitor/monitors;x', '/monitor/monitors.json', `/${enc(junk(int(1, 40)))}`, '/healthz/x', '/metrics/x', '/api/v1/healthz', '/api/v1/metrics', '/api/v1/readyz',
    '//monitor/monitors', '/monitor//monitors', `/monitor/incident/${i}//acknowledge`, '/monitor/monitors/run/now', `/monitor/measurements/${ms}/normal/x`,
  ]);
  const prefix = tail.startsWith('/api/') ? '' : pick(['', '/api/v1', '/api/v2', '/api/v1/api/v1', '/API/V1', '/api', '/v1', '/api/v1.0', '/api/V1']);
  const method = pick(STD_METHODS);
  const body = hasBody(method) && chance(0.4) ? plausibleBody(ROUTES[0]!) : undefined;
  const path = prefix + tail + (chance(0.3) ? '/' : '');
  return { kind: 'unknown-path', tags: ['path:unknown', ...(body ? [`body:${body.tag}`] : [])], method, path, authorization: bearer(keys.admin), body };
}

function buildPlan(): Plan[] {
  const n = (count: number) => Math.max(1, Math.round(count * SCALE));
  const plan: Plan[] = [];
  const add = (count: number, make: () => Plan) => {
    for (let i = 0; i < n(count); i++) plan.push(make());
  };
  add(1_700, () => planNoAuth('no-or-bad-auth'));
  add(900, planViewerWrite);
  add(1_100, planWrongMethod);
  add(1_700, planBadPathId);
  add(500, planUnknownId);
  add(1_900, planBadQuery);
  add(400, () => planBadTime(false));
  add(30, () => planBadTime(true));
  add(1_300, planUnparseableBody);
  add(1_200, planWrongJsonBody);
  add(500, planUnknownPath);
  // Interleave the kinds, reproducibly.
  for (let i = plan.length - 1; i > 0; i--) {
    const j = int(0, i);
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  return plan;
}

// ---------------------------------------------------------------------------------------
// Sending

interface Outcome {
  plan: Plan;
  status: number;
  text: string;
  contentType: string | null;
  error?: string;
  ms: number;
}

async function send(plan: Plan): Promise<Outcome> {
  const headers: Record<string, string> = {};
  if (plan.authorization !== null) headers.authorization = plan.authorization;
  const body = plan.body;
  if (body !== undefined && body.contentType !== null && body.contentType !== undefined) headers['content-type'] = body.contentType;
  const started = performance.now();
  try {
    const response = await fetch(base + plan.path, {
      method: plan.method,
      headers,
      body: body === undefined ? undefined : (body.bytes ?? body.text),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    return { plan, status: response.status, text, contentType: response.headers.get('content-type'), ms: performance.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { plan, status: 0, text: '', contentType: null, error: `${(error as Error).name}: ${(error as Error).message}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}`, ms: performance.now() - started };
  }
}

async function pool<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: size }, worker));
  return results;
}

/** What is wrong with an error body, or null: JSON with a `detail`, or per-field lists of messages. */
function bodyProblem(outcome: Outcome): string | null {
  if (outcome.plan.method === 'HEAD') return null; // no body, by definition
  let body: unknown;
  try {
    body = JSON.parse(outcome.text);
  } catch {
    return `not JSON (content-type ${outcome.contentType ?? 'none'})`;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'not a JSON object';
  const record = body as Record<string, unknown>;
  if (typeof record.detail === 'string' && record.detail !== '') return null;
  const fields = Object.values(record);
  if (fields.length > 0 && fields.every((v) => Array.isArray(v) && v.length > 0 && v.every((m) => typeof m === 'string'))) return null;
  return 'neither {"detail": "..."} nor per-field lists of messages';
}

const printable = (text: string, max: number) => JSON.stringify(text.length > max ? `${text.slice(0, max)}...(${text.length} chars)` : text);
function describeOutcome(o: Outcome, why?: string): string {
  const body = o.plan.body;
  const sent = body === undefined ? 'no body' : `body ${body.tag} ${printable(body.text ?? `<${body.bytes?.length} bytes>`, 120)} as ${body.contentType ?? 'no content-type'}`;
  const auth = o.plan.authorization === null ? 'no Authorization' : `Authorization ${printable(o.plan.authorization.replace(keys.admin, '<admin key>').replace(keys.viewer, '<viewer key>').replace(keys.revoked, '<revoked key>'), 80)}`;
  return `[${o.plan.kind} ${o.plan.tags.join(',')}] ${o.plan.method} ${printable(o.plan.path, 200)} (${auth}; ${sent}) -> ${o.error ?? `${o.status} ${printable(o.text, 200)}`}${why ? ` [${why}]` : ''}`;
}

function tally(items: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[item] = (out[item] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

// ---------------------------------------------------------------------------------------

describe(`a storm of malformed and unauthorised requests (seed ${SEED})`, () => {
  let outcomes: Outcome[] = [];
  let seconds = 0;

  beforeAll(async () => {
    const plan = buildPlan();
    const started = performance.now();
    outcomes = await pool(plan, CONCURRENCY, send);
    seconds = (performance.now() - started) / 1000;
    const statuses = tally(outcomes.map((o) => String(o.status)));
    console.log(
      [
        `fuzz seed ${SEED}: ${outcomes.length} requests in ${seconds.toFixed(1)} s, ${CONCURRENCY} at a time (slowest ${Math.max(...outcomes.map((o) => o.ms)).toFixed(0)} ms)`,
        `by kind: ${JSON.stringify(tally(outcomes.map((o) => o.plan.kind)))}`,
        `by input: ${JSON.stringify(tally(outcomes.flatMap((o) => o.plan.tags)))}`,
        `by status: ${JSON.stringify(statuses)}`,
      ].join('\n'),
    );
  }, STORM_TIMEOUT_MS);

  it('sends at least 10,000 requests', () => {
    expect(outcomes.length).toBeGreaterThanOrEqual(10_000);
  });

  it('answers every one with a 4xx', () => {
    const failures = outcomes.filter((o) => !(o.status >= 400 && o.status <= 499));
    const report = failures.slice(0, 20).map((o) => describeOutcome(o));
    const summary = JSON.stringify(tally(failures.map((o) => `${o.status} ${o.plan.kind}`)));
    const errors = tally(logged.map((l) => `${l.message}: ${l.fields.err instanceof Error ? `${l.fields.err.name}: ${l.fields.err.message} ${l.fields.err.stack?.split('\n').find((line) => line.includes('/src/'))?.trim() ?? ''}` : JSON.stringify(l.fields)}`));
    const serverLog = Object.entries(errors).slice(0, 10).map(([line, count]) => `  ${count}x ${line}`);
    expect(
      failures.length,
      `seed ${SEED} (VIGIL_FUZZ_SEED=${SEED} to replay): ${failures.length} answers not 4xx ${summary}; the first ${report.length}:\n${report.join('\n')}` +
        (serverLog.length > 0 ? `\nthe server logged:\n${serverLog.join('\n')}` : ''),
    ).toBe(0);
  });

  it('answers every error with JSON: {"detail": ...} or per-field messages', () => {
    const failures = outcomes.filter((o) => o.status >= 400 && o.status <= 499).flatMap((o) => {
      const why = bodyProblem(o);
      return why === null ? [] : [{ o, why }];
    });
    const report = failures.slice(0, 20).map(({ o, why }) => describeOutcome(o, why));
    const summary = JSON.stringify(tally(failures.map(({ o }) => `${o.status} ${o.plan.kind} ${o.plan.tags.find((t) => t.startsWith('id:') || t.startsWith('method:')) ?? ''}`.trim())));
    expect(failures.length, `seed ${SEED} (VIGIL_FUZZ_SEED=${SEED} to replay): ${failures.length} error bodies of the wrong shape ${summary}; the first ${report.length}:\n${report.join('\n')}`).toBe(0);
  });

  it('still serves afterwards: /healthz, and an authorised list of monitors', async () => {
    const health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) });
    expect(health.status).toBe(200);
    for (const prefix of ['', '/api/v1']) {
      const list = await fetch(`${base}${prefix}/monitor/monitors`, { headers: { authorization: bearer(prefix === '' ? keys.admin : keys.viewer) }, signal: AbortSignal.timeout(5_000) });
      expect(list.status).toBe(200);
      expect((await list.json()) as { count: number }).toMatchObject({ count: real.monitors.length });
    }
  });

  it('changed nothing in the store: no monitor, incident, action, measurement, key or job came, went or moved', async () => {
    expect(await snapshot()).toEqual(before);
  });
});
