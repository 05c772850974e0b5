import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duckdbDialect } from '../../connectors/duckdb/dialect.js';
import { openConnector } from '../../connectors/registry.js';
import { executeUnit } from '../../src/engine/execute.js';
import { monitor } from '../helpers/monitors.js';
import { tempDir } from '../helpers/temp.js';
import { seedDuckdb } from './conformance/targets.js';

describe('duckdb file access', () => {
  it('cannot read files outside the database unless external_access is set', async () => {
    const dir = tempDir();
    const seeded = await seedDuckdb(dir);
    const csv = join(dir, 'outside.csv');
    writeFileSync(csv, 'a\n1\n2\n3\n');
    const query = `SELECT COUNT(*) FROM read_csv('${csv}')`;

    const closed = await openConnector('duck', seeded.config);
    try {
      await expect(closed.queryReadOnly(query)).rejects.toMatchObject({ code: 'warehouse', message: expect.stringMatching(/disabled|external access|Permission/i) });
    } finally {
      await closed.close();
    }

    const open = await openConnector('duck', { ...seeded.config, external_access: true });
    try {
      expect((await open.queryReadOnly(query)).rows).toEqual([[3]]);
    } finally {
      await open.close();
    }
  });

  it('shows a value of a type it cannot measure as readable text', async () => {
    const seeded = await seedDuckdb(tempDir());
    const connector = await openConnector('duck', seeded.config);
    try {
      const unit = { kind: 'custom' as const, warehouse: 'duck', monitor: monitor({ table: null, metricType: 'custom_sql', metricConfig: { query_select: "SELECT INTERVAL '3 days'" } }) };
      const [outcome] = await executeUnit(unit, connector, duckdbDialect);
      expect(outcome!.ok).toBe(false);
      if (!outcome!.ok) {
        expect(outcome!.error.code).toBe('metric_result');
        expect(outcome!.error.message).toContain('the query returned the text "{\\"months\\":0,\\"days\\":3,\\"micros\\":0}", not a number');
      }
    } finally {
      await connector.close();
    }
  });
});
