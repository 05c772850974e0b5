import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createApp, notifyTargets, runNow, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/domain/clock.js';
import { yamlMonitorId } from '../../src/domain/ids.js';
import { acknowledgeIncident, markMeasurementNormal, resolveIncident } from '../../src/store/incident-commands.js';
import { seedSqlite } from './conformance/targets.js';
import { tempDir } from '../helpers/temp.js';

/** What people do to incidents, stored with their actions and notifications in one transaction. */

const alice = { userId: 'user-1', userName: 'Alice' };
const apps: App[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function breached() {
  const dir = tempDir();
  const seeded = await seedSqlite(dir);
  const path = seeded.config.type === 'sqlite' ? seeded.config.path : '';
  const yaml = `
store: sqlite:./vigil.db
warehouses: { wh: { type: sqlite, path: ${path} } }
monitors:
  - { name: rows, warehouse: wh, table: items, metric_type: row_count, condition: { max: 5 } }
notifications:
  - { type: webhook, url: "http://127.0.0.1:9/hook" }
`;
  const clock = new ManualClock('2026-11-29T06:00:00Z');
  const app = await createApp(parseConfig(yaml, join(dir, 'vigil.yaml'), {}), { clock });
  apps.push(app);
  const [first] = await runNow(app);
  clock.advance(3_600_000);
  const [second] = await runNow(app);
  clock.advance(60_000);
  const incident = await app.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
  const actions = async () => (await app.db.selectFrom('incident_actions').selectAll().where('incident_id', '=', incident.id).orderBy('at').orderBy('id').execute()).map((a) => [a.type, a.user_name]);
  const events = async () => (await app.db.selectFrom('outbox').select('event').orderBy('created_at').orderBy('id').execute()).map((r) => r.event);
  const monitorStatus = async () => (await app.db.selectFrom('monitors').select('status').where('id', '=', yamlMonitorId('rows')).executeTakeFirstOrThrow()).status;
  return { app, clock, incident, first: first!, second: second!, actions, events, monitorStatus, targets: notifyTargets(app) };
}

describe('incident commands', () => {
  it('two breaches make one incident with both measurements', async () => {
    const { app, incident, first, second, events } = await breached();
    expect(first.incidentId).toBe(incident.id);
    expect(second.incidentId).toBe(incident.id);
    const linked = await app.db.selectFrom('measurements').select('id').where('incident_id', '=', incident.id).execute();
    expect(linked).toHaveLength(2);
    expect(await events()).toEqual(['incident_created']);
  });

  it('acknowledge, then resolve: actions by the person, one resolved notification, the monitor back to normal', async () => {
    const { app, clock, incident, actions, events, monitorStatus, targets } = await breached();
    const acked = await acknowledgeIncident(app.db, incident.id, alice, clock.now(), targets);
    expect(acked.status).toBe('acknowledged');
    expect(await monitorStatus()).toBe('incident');
    const again = await acknowledgeIncident(app.db, incident.id, alice, clock.now(), targets);
    expect(again.status).toBe('acknowledged');
    clock.advance(60_000);
    const resolved = await resolveIncident(app.db, incident.id, alice, clock.now(), targets);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: clock.now().toISOString() });
    expect(await actions()).toEqual([['created', null], ['acknowledged', 'Alice'], ['resolved', 'Alice']]);
    expect(await events()).toEqual(['incident_created', 'incident_resolved']);
    expect(await monitorStatus()).toBe('normal');
    const stored = await app.db.selectFrom('incidents').selectAll().where('id', '=', incident.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: 'resolved', acknowledged_at: acked.acknowledgedAt });
  });

  it('refuses to acknowledge a resolved incident, and says which one is unknown', async () => {
    const { app, clock, incident, targets } = await breached();
    await resolveIncident(app.db, incident.id, alice, clock.now(), targets);
    await expect(acknowledgeIncident(app.db, incident.id, alice, clock.now(), targets)).rejects.toMatchObject({ code: 'conflict', message: `incident ${incident.id}: the incident is already resolved` });
    await expect(resolveIncident(app.db, '0190f0f0-0000-7000-8000-000000000000', alice, clock.now(), targets)).rejects.toMatchObject({ code: 'not_found' });
    await expect(markMeasurementNormal(app.db, '0190f0f0-0000-7000-8000-000000000000', alice, clock.now(), targets)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('marking measurements normal resolves the incident once nothing else keeps it open, and the detector trains on them', async () => {
    const { app, clock, incident, first, second, actions, events, monitorStatus, targets } = await breached();
    const one = await markMeasurementNormal(app.db, first.measurementId!, alice, clock.now(), targets);
    expect(one!.status).toBe('active');
    expect(await events()).toEqual(['incident_created']);
    const two = await markMeasurementNormal(app.db, second.measurementId!, alice, clock.now(), targets);
    expect(two!.status).toBe('resolved');
    expect(await actions()).toEqual([['created', null], ['marked_normal', 'Alice'], ['marked_normal', 'Alice'], ['resolved', 'Alice']]);
    expect(await events()).toEqual(['incident_created', 'incident_resolved']);
    expect(await monitorStatus()).toBe('normal');
    const marked = await app.db.selectFrom('measurements').select('marked_normal').where('incident_id', '=', incident.id).execute();
    expect(marked.map((m) => m.marked_normal)).toEqual([1, 1]);
    const payload = JSON.parse((await app.db.selectFrom('outbox').select('payload').where('event', '=', 'incident_resolved').executeTakeFirstOrThrow()).payload);
    expect(payload.incident.resolution).toBe('marked_normal');
  });
});
