import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedSqlite } from '../integration/conformance/targets.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

/** Incidents from the command line: list, acknowledge, resolve, mark a measurement normal. */
describe('vigil incidents, acknowledge, resolve, mark-normal', () => {
  it('works on the incidents a run opened, records who did it, and refuses what does not fit', async () => {
    const dir = tempDir();
    const seeded = await seedSqlite(dir);
    const path = seeded.config.type === 'sqlite' ? seeded.config.path : '';
    const config = join(dir, 'vigil.yaml');
    writeFileSync(
      config,
      `store: sqlite:./vigil.db\nwarehouses: { wh: { type: sqlite, path: ${path} } }\nmonitors:\n  - { name: too many rows, warehouse: wh, table: items, metric_type: row_count, condition: { max: 5 } }\n  - { name: rows again, warehouse: wh, table: items, metric_type: row_count, condition: { max: 6 } }\n`,
    );
    const run = await runCli(['run-now', '--config', config, '--format', 'json']);
    expect(run.code).toBe(1);
    const results = JSON.parse(run.stdout).results as Array<{ name: string; measurement_id: string }>;

    const listed = await runCli(['incidents', '--config', config]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/too many rows\s+active\s+10/);
    expect(listed.stdout).toMatch(/2 incidents\n$/);
    const store = new Database(join(dir, 'vigil.db'), { readonly: true });
    const incidents = store.prepare('SELECT id, name FROM incidents ORDER BY name').all() as Array<{ id: string; name: string }>;
    const [again, tooMany] = incidents;

    expect((await runCli(['acknowledge', tooMany!.id, '--config', config, '--user', 'alice'])).stdout).toBe(`incident ${tooMany!.id}: acknowledged\n`);
    expect((await runCli(['resolve', tooMany!.id, '--config', config, '--user', 'alice'])).stdout).toBe(`incident ${tooMany!.id}: resolved\n`);
    const refused = await runCli(['acknowledge', tooMany!.id, '--config', config]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`incident ${tooMany!.id}: the incident is already resolved\n`);
    const actions = store.prepare('SELECT type, user_name FROM incident_actions WHERE incident_id = ? ORDER BY at, id').all(tooMany!.id);
    expect(actions).toEqual([
      { type: 'created', user_name: null },
      { type: 'acknowledged', user_name: 'alice' },
      { type: 'resolved', user_name: 'alice' },
    ]);

    const measurement = results.find((r) => r.name === 'rows again')!.measurement_id;
    const marked = await runCli(['mark-normal', measurement, '--config', config, '--user', 'bob']);
    expect(marked.stdout).toBe(`measurement ${measurement}: marked normal; incident ${again!.id}: resolved\n`);
    expect((await runCli(['incidents', '--config', config])).stdout).toMatch(/^0 incidents\n$/m);
    expect((await runCli(['incidents', '--all', '--config', config])).stdout).toMatch(/2 incidents\n$/);

    const bad = await runCli(['mark-normal', 'nope', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('"nope" is not a measurement id (a UUID)\n');
    const unknown = await runCli(['resolve', '0190f0f0-0000-7000-8000-000000000000', '--config', config]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('incident 0190f0f0-0000-7000-8000-000000000000 does not exist\n');
    store.close();
  });
});
