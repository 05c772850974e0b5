import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envelope } from '../../src/api/pagination.js';
import {
  incidentResponse,
  jobResponse,
  measurementResponse,
  monitorResponse,
  targetDisplayMetadata,
} from '../../src/api/shapes.js';
import type {
  BackgroundJobTable,
  IncidentActionTable,
  IncidentTable,
  IntegrationTable,
  MeasurementTable,
  MonitorTable,
  TargetTable,
} from '../../src/store/schema.js';

/** The JSON examples of reference/monitors-api.txt, copied verbatim. */
const REFERENCE = JSON.parse(
  readFileSync(new URL('../../fixtures/api/reference-examples.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, unknown>>;

function example(name: string): Record<string, unknown> {
  const value = REFERENCE[name];
  if (value === undefined) throw new Error(`no reference example ${name}`);
  return value;
}

type JsonType = 'null' | 'string' | 'number' | 'boolean' | 'object' | 'array';

function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean' || type === 'object') return type;
  throw new Error(`not a JSON value: ${String(value)}`);
}

interface Contract {
  /** Paths (a.b, list[].c) that may be null, with the type they have when they are not. */
  nullable?: Record<string, JsonType>;
  /** Paths whose type differs from the reference's example on purpose; not looked into. */
  types?: Record<string, JsonType>;
  /** Keys Vigil adds after the reference's keys, per object path ('' is the top level). */
  extras?: Record<string, string[]>;
}

/**
 * Where `actual` breaks the reference example's contract: a key missing, renamed, out of
 * order or unexpected, or a value of another JSON type. With nulls 'none', nullable fields
 * must hold their non-null type (a fully populated row); with 'allowed' they may be null.
 */
function contractIssues(actual: unknown, reference: unknown, contract: Contract, nulls: 'none' | 'allowed', path = ''): string[] {
  const nullable = contract.nullable ?? {};
  const override = contract.types?.[path];
  const want = override ?? nullable[path] ?? jsonType(reference);
  const got = jsonType(actual);
  if (got !== want && !(nulls === 'allowed' && path in nullable && got === 'null')) {
    return [`${path || '(root)'} is ${got}, expected ${want}${path in nullable ? ' (or null)' : ''}`];
  }
  if (override !== undefined) return [];
  const issues: string[] = [];
  if (got === 'object' && jsonType(reference) === 'object') {
    const ref = reference as Record<string, unknown>;
    const obj = actual as Record<string, unknown>;
    const expectedKeys = [...Object.keys(ref), ...(contract.extras?.[path] ?? [])];
    if (Object.keys(obj).join(',') !== expectedKeys.join(',')) {
      issues.push(`${path || '(root)'} has keys ${Object.keys(obj).join(',')}, expected ${expectedKeys.join(',')}`);
    }
    for (const key of Object.keys(ref)) {
      if (key in obj) issues.push(...contractIssues(obj[key], ref[key], contract, nulls, path === '' ? key : `${path}.${key}`));
    }
  }
  if (got === 'array' && jsonType(reference) === 'array') {
    const first = (reference as unknown[])[0];
    for (const item of actual as unknown[]) issues.push(...contractIssues(item, first, contract, nulls, `${path}[]`));
  }
  return issues;
}

// --- store rows ------------------------------------------------------------------------

const INTEGRATION: IntegrationTable = {
  id: '337c5803-b484-4128-a24d-dcc55dee2ea2',
  name: 'shop',
  type: 'postgres',
  created_at: '2023-10-01T00:00:00.000Z',
  updated_at: '2023-10-01T00:00:00.000Z',
};

const COLUMN_TARGET: TargetTable = {
  id: '11db7782-4030-4acf-93e4-85aff3b860a1',
  integration_id: INTEGRATION.id,
  entity_type: 'column',
  table_path: JSON.stringify(['public', 'orders']),
  column_name: 'amount',
  created_at: '2023-10-01T00:00:00.000Z',
  updated_at: '2023-10-01T00:00:00.000Z',
};

const TABLE_TARGET: TargetTable = {
  ...COLUMN_TARGET,
  id: '21db7782-4030-4acf-93e4-85aff3b860a2',
  entity_type: 'table',
  table_path: JSON.stringify(['ANALYTICS', 'public', 'Orders']),
  column_name: null,
};

const QUERY_TARGET: TargetTable = {
  ...COLUMN_TARGET,
  id: '31db7782-4030-4acf-93e4-85aff3b860a3',
  entity_type: 'integration',
  table_path: null,
  column_name: null,
};

const WORKSPACE = 'e051db43-cda6-42dc-8a69-12d1aefc3a91';

/** A monitor that has run, failed once, and has an open incident: every field set. */
function monitorRow(overrides: Partial<MonitorTable> = {}): MonitorTable {
  return {
    id: '886337a0-f298-4259-84dc-710879c826de',
    name: 'Null percentage in amount',
    integration_id: INTEGRATION.id,
    target_id: COLUMN_TARGET.id,
    metric_type: 'null_percentage',
    metric_config: JSON.stringify({ where: "status <> 'test'" }),
    schedule: JSON.stringify({ cadence: 'daily', frequency: 1, hour: 3 }),
    frequency: 24,
    is_enabled: 1,
    condition_auto_sensitivity: 5,
    condition_manual_min: 0,
    condition_manual_max: 10.5,
    condition_bounds: 'upper',
    source: 'api',
    status: 'incident',
    last_attempted_at: '2023-10-12T15:03:40.693Z',
    last_success_at: '2023-10-12T15:03:41.250Z',
    last_error_at: '2023-10-11T15:03:40.000Z',
    last_error_message: 'connection refused',
    last_measurement: '5d6ad413-5f74-41d6-b2f5-870b6f04de5c',
    last_measurement_value: 12.25,
    last_incident: '102ac399-6e3a-42dd-a710-dbbb6b2addbe',
    next_run_at: '2023-10-13T03:00:00.000Z',
    created_at: '2023-10-12T14:59:58.781Z',
    updated_at: '2023-10-12T15:06:19.251Z',
    ...overrides,
  };
}

/** A monitor created a moment ago: never run, manual thresholds, a cron schedule. */
function newMonitorRow(): MonitorTable {
  return monitorRow({
    metric_config: '{}',
    schedule: JSON.stringify({ cron: '0 */6 * * *', timezone: 'Europe/Paris' }),
    frequency: null,
    is_enabled: 0,
    condition_auto_sensitivity: null,
    condition_manual_min: null,
    condition_manual_max: null,
    condition_bounds: 'both',
    status: 'pending',
    last_attempted_at: null,
    last_success_at: null,
    last_error_at: null,
    last_error_message: '',
    last_measurement: null,
    last_measurement_value: null,
    last_incident: null,
    next_run_at: null,
  });
}

const MONITOR = { id: '886337a0-f298-4259-84dc-710879c826de', name: 'Null percentage in amount' };

function incidentRow(overrides: Partial<IncidentTable> = {}): IncidentTable {
  return {
    id: '6ac1bff0-b85f-47e8-84fb-8dca29614785',
    monitor_id: MONITOR.id,
    target_id: COLUMN_TARGET.id,
    name: 'Null percentage incident',
    summary: 'Null percentage in amount is 12.25, above 10.5',
    status: 'resolved',
    value: 12.25,
    first_seen_at: '2023-10-10T19:20:44.973Z',
    last_seen_at: '2023-10-10T21:20:45.047Z',
    last_notified_at: '2023-10-10T19:20:45.047Z',
    acknowledged_at: '2023-10-10T20:00:00.000Z',
    resolved_at: '2023-10-11T00:00:00.000Z',
    good_runs: 3,
    opened_by: '5d6ad413-5f74-41d6-b2f5-870b6f04de5c',
    created_at: '2023-10-10T19:20:44.975Z',
    updated_at: '2023-10-11T00:00:00.120Z',
    ...overrides,
  };
}

function action(id: string, type: string, at: string, user: string | null = null): IncidentActionTable {
  return {
    id,
    incident_id: '6ac1bff0-b85f-47e8-84fb-8dca29614785',
    type,
    user_id: user === null ? null : 'e1250ab7-c4dc-4b9c-8963-105fa73d4ba5',
    user_name: user,
    at,
  };
}

/** The actions of incidentRow(), stored out of order. */
const ACTIONS: IncidentActionTable[] = [
  action('0190a000-0000-7000-8000-000000000004', 'resolved', '2023-10-11T00:00:00.000Z', 'John Doe'),
  action('0190a000-0000-7000-8000-000000000001', 'created', '2023-10-10T19:20:44.975Z'),
  action('0190a000-0000-7000-8000-000000000003', 'acknowledged', '2023-10-10T20:00:00.000Z', 'John Doe'),
  action('0190a000-0000-7000-8000-000000000002', 'notification_initial', '2023-10-10T19:20:45.047Z'),
];

function measurementRow(overrides: Partial<MeasurementTable> = {}): MeasurementTable {
  return {
    id: '5d6ad413-5f74-41d6-b2f5-870b6f04de5c',
    monitor_id: MONITOR.id,
    value: 90.81823317519981,
    lower_threshold: 87.83219024929676,
    upper_threshold: 90.64496791804484,
    status: 'anomaly',
    is_anomaly: 1,
    marked_normal: 1,
    incident_id: '102ac399-6e3a-42dd-a710-dbbb6b2addbe',
    incident_metadata: 'above the upper threshold',
    scheduled_for: '2023-10-03T04:00:00.000Z',
    created_at: '2023-10-03T04:46:24.290Z',
    updated_at: '2023-10-03T05:00:00.000Z',
    ...overrides,
  };
}

function jobRow(overrides: Partial<BackgroundJobTable> = {}): BackgroundJobTable {
  return {
    id: '4a17b8f6-d01d-4e0f-8c8d-c702dab3f4a2',
    user: '12345',
    title: 'Run Monitors',
    failed: 0,
    started: '2024-11-28T12:34:56.000Z',
    completed: '2024-11-28T12:35:10.000Z',
    logs: 'Job started successfully. Processing monitors...',
    has_artifact: 0,
    created_at: '2024-11-28T12:34:55.000Z',
    updated_at: '2024-11-28T12:35:10.000Z',
    ...overrides,
  };
}

// --- contracts ---------------------------------------------------------------------------

const MONITOR_CONTRACT: Contract = {
  nullable: {
    frequency: 'number',
    last_attempted_at: 'string',
    last_success_at: 'string',
    last_error_at: 'string',
    condition_auto_sensitivity: 'number',
    condition_manual_min: 'number',
    condition_manual_max: 'number',
    last_measurement_value: 'number',
    last_incident: 'string',
    last_measurement: 'string',
    next_run_at: 'string',
  },
  types: { metric_config: 'object' },
  extras: { '': ['schedule', 'condition_bounds'] },
};

const INCIDENT_CONTRACT: Contract = {
  nullable: {
    acknowledged_at: 'string',
    'actions[].user_id': 'string',
    'actions[].user_name': 'string',
    last_notified_at: 'string',
    resolved_at: 'string',
    value: 'number',
  },
  // The reference's incident shows an icon name; Vigil has no icons.
  types: { 'display_metadata.target.icon': 'null' },
  extras: { 'actions[]': ['at'] },
};

const MEASUREMENT_CONTRACT: Contract = {
  nullable: {
    incident: 'string',
    incident_metadata: 'string',
    upper_threshold: 'number',
    lower_threshold: 'number',
    value: 'number',
  },
  extras: { '': ['status', 'is_anomaly', 'marked_normal'] },
};

const JOB_CONTRACT: Contract = {
  nullable: { user: 'string', started: 'string', completed: 'string' },
};

const ENVELOPE_CONTRACT: Contract = {
  // The reference prints Python's "None" where there is no page; Vigil sends null.
  nullable: { 'links.next': 'string', 'links.previous': 'string', 'meta.previous_page': 'number', 'meta.next_page': 'number' },
  types: { results: 'array' },
};

const referenceMonitor = () => example('get_monitor');
const referenceIncident = () => example('get_incident');
const referenceMeasurement = () => (example('list_measurements')['results'] as Record<string, unknown>[])[0];
const referenceJob = () => example('run_monitors_response');

describe('the reference examples fixture', () => {
  it('holds the single-object examples inside the list examples, as the reference does', () => {
    expect((example('list_monitors')['results'] as unknown[])[0]).toEqual(referenceMonitor());
    expect(example('create_monitor_response')).toEqual(referenceMonitor());
    expect((example('list_incidents')['results'] as unknown[])[0]).toEqual(referenceIncident());
    expect(Object.keys(referenceMeasurement() ?? {})).toEqual([
      'id', 'created_at', 'updated_at', 'incident', 'incident_metadata', 'monitor', 'upper_threshold', 'lower_threshold', 'value',
    ]);
  });
});

describe('the contract check', () => {
  const reference = { a: 'x', b: 1, c: { d: null }, e: [{ f: true }] };
  const good = { a: 'y', b: 2, c: { d: null }, e: [{ f: false }] };

  it('accepts a value with the same keys, order and types', () => {
    expect(contractIssues(good, reference, {}, 'none')).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['a missing key', { b: 2, c: { d: null }, e: [] }, '(root) has keys b,c,e, expected a,b,c,e'],
    ['a renamed key', { A: 'y', b: 2, c: { d: null }, e: [] }, '(root) has keys A,b,c,e, expected a,b,c,e'],
    ['keys out of order', { b: 2, a: 'y', c: { d: null }, e: [] }, '(root) has keys b,a,c,e, expected a,b,c,e'],
    ['an unexpected extra key', { ...good, z: 1 }, '(root) has keys a,b,c,e,z, expected a,b,c,e'],
    ['another type', { ...good, b: '2' }, 'b is string, expected number'],
    ['another type inside an object', { ...good, c: { d: 'x' } }, 'c.d is string, expected null'],
    ['another type inside a list item', { ...good, e: [{ f: 0 }] }, 'e[].f is number, expected boolean'],
  ])('reports %s', (_what, actual, issue) => {
    expect(contractIssues(actual, reference, {}, 'none')).toContain(issue);
  });

  it('lets a nullable field be null only when nulls are allowed', () => {
    const contract: Contract = { nullable: { b: 'number' } };
    const withNull = { ...good, b: null };
    expect(contractIssues(withNull, reference, contract, 'allowed')).toEqual([]);
    expect(contractIssues(withNull, reference, contract, 'none')).toEqual(['b is null, expected number (or null)']);
  });
});

describe('monitorResponse', () => {
  it('has every field of the reference monitor, in its order and with its JSON types, then schedule and condition_bounds', () => {
    const response = monitorResponse(monitorRow(), COLUMN_TARGET, INTEGRATION, WORKSPACE);
    expect(contractIssues(response, referenceMonitor(), MONITOR_CONTRACT, 'none')).toEqual([]);
  });

  it('keeps the contract for a monitor that has never run (nullable fields null)', () => {
    const response = monitorResponse(newMonitorRow(), COLUMN_TARGET, INTEGRATION, WORKSPACE);
    expect(contractIssues(response, referenceMonitor(), MONITOR_CONTRACT, 'allowed')).toEqual([]);
  });

  it('maps a row that has run', () => {
    expect(monitorResponse(monitorRow(), COLUMN_TARGET, INTEGRATION, WORKSPACE)).toStrictEqual({
      id: '886337a0-f298-4259-84dc-710879c826de',
      created_at: '2023-10-12T14:59:58.781Z',
      updated_at: '2023-10-12T15:06:19.251Z',
      integration: INTEGRATION.id,
      target: COLUMN_TARGET.id,
      workspace: WORKSPACE,
      metric_type: 'null_percentage',
      metric_config: { where: "status <> 'test'" },
      frequency: 24,
      name: 'Null percentage in amount',
      is_enabled: true,
      last_attempted_at: '2023-10-12T15:03:40.693Z',
      last_success_at: '2023-10-12T15:03:41.250Z',
      last_error_at: '2023-10-11T15:03:40.000Z',
      last_error_message: 'connection refused',
      condition_auto_sensitivity: 5,
      condition_manual_min: 0,
      condition_manual_max: 10.5,
      status: 'incident',
      display_metadata: {
        target: { icon: null, label: 'amount', entity_type: 'column', integration: INTEGRATION.id, integration_type: 'postgres' },
      },
      last_measurement_value: 12.25,
      last_incident: '102ac399-6e3a-42dd-a710-dbbb6b2addbe',
      last_measurement: '5d6ad413-5f74-41d6-b2f5-870b6f04de5c',
      next_run_at: '2023-10-13T03:00:00.000Z',
      schedule: { cadence: 'daily', frequency: 1, hour: 3 },
      condition_bounds: 'upper',
    });
  });

  it('maps a new, disabled monitor: is_enabled false, nulls kept, a cron schedule parsed', () => {
    const response = monitorResponse(newMonitorRow(), COLUMN_TARGET, INTEGRATION, WORKSPACE);
    expect(response).toMatchObject({
      metric_config: {},
      frequency: null,
      is_enabled: false,
      last_attempted_at: null,
      last_success_at: null,
      last_error_at: null,
      last_error_message: '',
      condition_auto_sensitivity: null,
      condition_manual_min: null,
      condition_manual_max: null,
      status: 'pending',
      last_measurement_value: null,
      last_incident: null,
      last_measurement: null,
      next_run_at: null,
      schedule: { cron: '0 */6 * * *', timezone: 'Europe/Paris' },
      condition_bounds: 'both',
    });
  });

  it('returns metric_config as the stored object, query_select included', () => {
    const query = "SELECT COUNT(*) FROM public.customers WHERE type = 'external'";
    const row = monitorRow({ metric_type: 'custom_sql', metric_config: JSON.stringify({ query_select: query }) });
    expect(monitorResponse(row, QUERY_TARGET, INTEGRATION, WORKSPACE).metric_config).toStrictEqual({ query_select: query });
  });

  it.each<[string, TargetTable, string]>([
    ['a column target: the column name', COLUMN_TARGET, 'amount'],
    ['a table target: the table path joined with dots', TABLE_TARGET, 'ANALYTICS.public.Orders'],
    ['a custom-query target: the integration name', QUERY_TARGET, 'shop'],
  ])('labels %s', (_what, target, label) => {
    const response = monitorResponse(monitorRow({ target_id: target.id }), target, INTEGRATION, WORKSPACE);
    expect(response.target).toBe(target.id);
    expect(response.display_metadata.target).toStrictEqual({
      icon: null,
      label,
      entity_type: target.entity_type,
      integration: INTEGRATION.id,
      integration_type: 'postgres',
    });
  });

  it("takes integration_type from the integration's type", () => {
    const sqlite: IntegrationTable = { ...INTEGRATION, type: 'sqlite' };
    expect(monitorResponse(monitorRow(), COLUMN_TARGET, sqlite, WORKSPACE).display_metadata.target.integration_type).toBe('sqlite');
  });
});

describe('incidentResponse', () => {
  it('has every field of the reference incident, in its order and with its JSON types', () => {
    const byPeople = ACTIONS.filter((a) => a.user_id !== null);
    const response = incidentResponse(incidentRow(), byPeople, MONITOR, COLUMN_TARGET, INTEGRATION);
    expect(response.actions).toHaveLength(2);
    expect(contractIssues(response, referenceIncident(), INCIDENT_CONTRACT, 'none')).toEqual([]);
    // Vigil's own actions carry no user.
    const all = incidentResponse(incidentRow(), ACTIONS, MONITOR, COLUMN_TARGET, INTEGRATION);
    expect(contractIssues(all, referenceIncident(), INCIDENT_CONTRACT, 'allowed')).toEqual([]);
  });

  it('keeps the contract for an active incident not yet notified, with no actions', () => {
    const row = incidentRow({ status: 'active', last_notified_at: null, acknowledged_at: null, resolved_at: null, value: null });
    const response = incidentResponse(row, [], MONITOR, COLUMN_TARGET, INTEGRATION);
    expect(contractIssues(response, referenceIncident(), INCIDENT_CONTRACT, 'allowed')).toEqual([]);
    expect(response.actions).toEqual([]);
  });

  it('maps the row, its actions in time order and the display metadata', () => {
    expect(incidentResponse(incidentRow(), ACTIONS, MONITOR, COLUMN_TARGET, INTEGRATION)).toStrictEqual({
      acknowledged_at: '2023-10-10T20:00:00.000Z',
      actions: [
        { type: 'created', user_id: null, user_name: null, at: '2023-10-10T19:20:44.975Z' },
        { type: 'notification_initial', user_id: null, user_name: null, at: '2023-10-10T19:20:45.047Z' },
        { type: 'acknowledged', user_id: 'e1250ab7-c4dc-4b9c-8963-105fa73d4ba5', user_name: 'John Doe', at: '2023-10-10T20:00:00.000Z' },
        { type: 'resolved', user_id: 'e1250ab7-c4dc-4b9c-8963-105fa73d4ba5', user_name: 'John Doe', at: '2023-10-11T00:00:00.000Z' },
      ],
      created_at: '2023-10-10T19:20:44.975Z',
      display_metadata: {
        monitor: { label: 'Null percentage in amount' },
        target: { entity_type: 'column', icon: null, integration: INTEGRATION.id, integration_type: 'postgres', label: 'amount' },
      },
      first_seen_at: '2023-10-10T19:20:44.973Z',
      id: '6ac1bff0-b85f-47e8-84fb-8dca29614785',
      last_notified_at: '2023-10-10T19:20:45.047Z',
      last_seen_at: '2023-10-10T21:20:45.047Z',
      monitor: MONITOR.id,
      name: 'Null percentage incident',
      resolved_at: '2023-10-11T00:00:00.000Z',
      status: 'resolved',
      summary: 'Null percentage in amount is 12.25, above 10.5',
      target: COLUMN_TARGET.id,
      updated_at: '2023-10-11T00:00:00.120Z',
      value: 12.25,
    });
  });

  it('orders actions at the same instant by their time-ordered ids, without reordering the input', () => {
    const at = '2023-10-11T00:00:00.000Z';
    const actions = [
      action('0190a000-0000-7000-8000-00000000000b', 'notification_resolved', at),
      action('0190a000-0000-7000-8000-00000000000a', 'auto_resolved', at),
    ];
    const response = incidentResponse(incidentRow(), actions, MONITOR, COLUMN_TARGET, INTEGRATION);
    expect(response.actions.map((a) => a.type)).toEqual(['auto_resolved', 'notification_resolved']);
    expect(actions.map((a) => a.type)).toEqual(['notification_resolved', 'auto_resolved']);
  });

  it("shows the same target metadata as the monitor, in the reference incident's key order", () => {
    const fromIncident = incidentResponse(incidentRow({ target_id: TABLE_TARGET.id }), [], MONITOR, TABLE_TARGET, INTEGRATION)
      .display_metadata.target;
    expect(fromIncident).toEqual(targetDisplayMetadata(TABLE_TARGET, INTEGRATION));
    expect(fromIncident.label).toBe('ANALYTICS.public.Orders');
    expect(Object.keys(fromIncident)).toEqual(['entity_type', 'icon', 'integration', 'integration_type', 'label']);
  });
});

describe('measurementResponse', () => {
  it('has every field of the reference measurement, in its order and with its JSON types, then status, is_anomaly, marked_normal', () => {
    expect(contractIssues(measurementResponse(measurementRow()), referenceMeasurement(), MEASUREMENT_CONTRACT, 'none')).toEqual([]);
  });

  it('keeps the contract for a learning measurement with no thresholds and no incident', () => {
    const row = measurementRow({
      status: 'learning',
      lower_threshold: null,
      upper_threshold: null,
      is_anomaly: 0,
      marked_normal: 0,
      incident_id: null,
      incident_metadata: null,
    });
    expect(contractIssues(measurementResponse(row), referenceMeasurement(), MEASUREMENT_CONTRACT, 'allowed')).toEqual([]);
  });

  it('maps the row', () => {
    expect(measurementResponse(measurementRow())).toStrictEqual({
      id: '5d6ad413-5f74-41d6-b2f5-870b6f04de5c',
      created_at: '2023-10-03T04:46:24.290Z',
      updated_at: '2023-10-03T05:00:00.000Z',
      incident: '102ac399-6e3a-42dd-a710-dbbb6b2addbe',
      incident_metadata: 'above the upper threshold',
      monitor: MONITOR.id,
      upper_threshold: 90.64496791804484,
      lower_threshold: 87.83219024929676,
      value: 90.81823317519981,
      status: 'anomaly',
      is_anomaly: true,
      marked_normal: true,
    });
  });

  it('maps is_anomaly and marked_normal each from its own column', () => {
    const unmarked = measurementResponse(measurementRow({ is_anomaly: 1, marked_normal: 0 }));
    expect(unmarked).toMatchObject({ is_anomaly: true, marked_normal: false });
    const markedOnly = measurementResponse(measurementRow({ is_anomaly: 0, marked_normal: 1 }));
    expect(markedOnly).toMatchObject({ is_anomaly: false, marked_normal: true });
  });

  it('maps 0 to false for is_anomaly and marked_normal, and keeps null value and thresholds', () => {
    const row = measurementRow({ status: 'normal', is_anomaly: 0, marked_normal: 0, value: null, lower_threshold: null, upper_threshold: null });
    expect(measurementResponse(row)).toMatchObject({
      status: 'normal',
      is_anomaly: false,
      marked_normal: false,
      value: null,
      lower_threshold: null,
      upper_threshold: null,
    });
  });
});

describe('jobResponse', () => {
  it('has exactly the fields of the reference background job, in its order and with its JSON types', () => {
    expect(contractIssues(jobResponse(jobRow()), referenceJob(), JOB_CONTRACT, 'none')).toEqual([]);
    expect(contractIssues(jobResponse(jobRow({ completed: null, user: null })), referenceJob(), JOB_CONTRACT, 'allowed')).toEqual([]);
  });

  it('maps the row, booleans from 0/1', () => {
    expect(jobResponse(jobRow())).toStrictEqual({
      id: '4a17b8f6-d01d-4e0f-8c8d-c702dab3f4a2',
      user: '12345',
      failed: false,
      started: '2024-11-28T12:34:56.000Z',
      completed: '2024-11-28T12:35:10.000Z',
      logs: 'Job started successfully. Processing monitors...',
      title: 'Run Monitors',
      has_artifact: false,
    });
    expect(jobResponse(jobRow({ failed: 1, has_artifact: 0 }))).toMatchObject({ failed: true, has_artifact: false });
    expect(jobResponse(jobRow({ failed: 0, has_artifact: 1 }))).toMatchObject({ failed: false, has_artifact: true });
  });
});

describe('the list envelope', () => {
  const url = new URL('https://vigil.example/api/v1/monitor/incidents?page=2');

  it("has the reference list's keys, in its order, with numbers or null for pages and absolute links", () => {
    const middle = envelope(url, 2, 50, 315, [{}]);
    for (const name of ['list_monitors', 'list_incidents', 'list_measurements']) {
      expect(contractIssues(middle, example(name), ENVELOPE_CONTRACT, 'none')).toEqual([]);
    }
    const first = envelope(url, 1, 50, 315, []);
    expect(contractIssues(first, example('list_incidents'), ENVELOPE_CONTRACT, 'allowed')).toEqual([]);
    expect(first.links.previous).toBeNull();
    expect(first.meta.previous_page).toBeNull();
  });

  it("counts the reference's pages: 315 items at 50 a page are 7 pages, page 1 links to page 2", () => {
    const reference = example('list_incidents');
    const first = envelope(url, 1, 50, 315, []);
    expect(first.count).toBe(reference['count']);
    expect(first.total_pages).toBe(reference['total_pages']);
    expect(first.meta).toEqual({ ...(reference['meta'] as object), previous_page: null });
    expect(new URL(first.links.next ?? '').searchParams.get('page')).toBe('2');
  });

  it('carries mapped results unchanged', () => {
    const results = [measurementResponse(measurementRow())];
    expect(envelope(url, 1, 50, 1, results).results).toBe(results);
  });
});
