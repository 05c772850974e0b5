import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listApiKeys, verifyApiKey } from '../../src/store/api-keys-repo.js';
import { openStore } from '../../src/store/database.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

/** API keys from the command line: create prints the key once, list never shows it, revoke ends it. */
describe('vigil api-key create, list, revoke', () => {
  it('creates a key that verifies, lists it without secrets, revokes it, and refuses bad input with exit 2', async () => {
    const dir = tempDir();
    const config = join(dir, 'vigil.yaml');
    writeFileSync(config, 'store: sqlite:./vigil.db\nwarehouses: {}\n');

    const created = await runCli(['api-key', 'create', '--name', 'ci', '--role', 'editor', '--config', config]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const lines = created.stdout.split('\n');
    const id = /^API key ([0-9a-f-]{36}) created: "ci", role editor$/.exec(lines[0]!)?.[1];
    expect(id).toBeDefined();
    const key = lines[1]!;
    expect(key).toMatch(/^vigil_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(lines[2]).toMatch(/shown only this once/);
    expect(created.stdout.split(key)).toHaveLength(2);

    const viewer = await runCli(['api-key', 'create', '--name', 'dashboard', '--role', 'viewer', '-c', config]);
    expect(viewer.code).toBe(0);
    const viewerKey = viewer.stdout.split('\n')[1]!;

    const db = await openStore({ kind: 'sqlite', path: join(dir, 'vigil.db') });
    try {
      expect(await verifyApiKey(db, key, new Date())).toEqual({ keyId: id, name: 'ci', role: 'editor' });
      expect(await verifyApiKey(db, viewerKey, new Date())).toMatchObject({ name: 'dashboard', role: 'viewer' });
      const dashboardId = (await listApiKeys(db)).find((k) => k.name === 'dashboard')!.id;

      const table = await runCli(['api-key', 'list', '--config', config]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+CREATED\s+LAST USED\s+REVOKED\n/);
      expect(table.stdout).toMatch(new RegExp(`^${id}\\s+ci\\s+editor\\s+\\S+Z\\s+\\S+Z\\s+-$`, 'm'));
      expect(table.stdout).toMatch(/\n2 API keys\n$/);
      const json = await runCli(['api-key', 'list', '--format', 'json', '--config', config]);
      expect(json.code).toBe(0);
      const listed = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
      expect(listed.map((k) => [k.id, k.name, k.role, k.revoked_at])).toEqual([
        [id, 'ci', 'editor', null],
        [dashboardId, 'dashboard', 'viewer', null],
      ]);
      expect(Object.keys(listed[0]!).sort()).toEqual(['created_at', 'id', 'last_used_at', 'name', 'revoked_at', 'role']);
      for (const output of [table.stdout, json.stdout]) {
        expect(output).not.toContain(key.slice(6));
        expect(output).not.toContain(viewerKey.slice(6, 18));
      }

      const revoked = await runCli(['api-key', 'revoke', 'ci', '--config', config]);
      expect(revoked.stderr).toBe('');
      expect(revoked.stdout).toBe(`API key ${id} (ci): revoked\n`);
      expect(revoked.code).toBe(0);
      expect(await verifyApiKey(db, key, new Date())).toBeNull();
      expect(await verifyApiKey(db, viewerKey, new Date())).not.toBeNull();
      expect((await runCli(['api-key', 'list', '--config', config])).stdout).toMatch(/\n2 API keys \(1 revoked\)\n$/);

      const again = await runCli(['api-key', 'revoke', id!, '--config', config]);
      expect(again.code).toBe(2);
      expect(again.stderr).toBe(`API key ${id} (ci) is already revoked\n`);
      const unknown = await runCli(['api-key', 'revoke', 'nobody', '--config', config]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe('no API key has the id or name "nobody"\n');

      const badRole = await runCli(['api-key', 'create', '--name', 'root', '--role', 'root', '--config', config]);
      expect(badRole.code).toBe(2);
      expect(badRole.stdout).toBe('');
      expect(badRole.stderr).toContain("option '--role <role>' argument 'root' is invalid. Allowed choices are admin, editor, viewer.");
      const noName = await runCli(['api-key', 'create', '--name', '', '--role', 'admin', '--config', config]);
      expect(noName.code).toBe(2);
      expect(noName.stderr).toBe('an API key needs a name\n');
      const taken = await runCli(['api-key', 'create', '--name', 'dashboard', '--role', 'admin', '--config', config]);
      expect(taken.code).toBe(2);
      expect(taken.stderr).toBe('an API key named "dashboard" already exists (revoke it first)\n');
      expect((await listApiKeys(db)).map((k) => k.name)).toEqual(['ci', 'dashboard']);
    } finally {
      await db.destroy();
    }
  });
});
