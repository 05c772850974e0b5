import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';

/**
 * Integration tests read the machine's databases from TEST_PG_URL and TEST_MYSQL_URL.
 * Under CI=true a missing variable is a failing test, never a silent skip; on a laptop
 * without the database the suite is skipped with a visible note.
 */
export function databaseUrl(variable: 'TEST_PG_URL' | 'TEST_MYSQL_URL'): string | undefined {
  const value = process.env[variable];
  return value === undefined || value === '' ? undefined : value;
}

export function describeWithDatabase(
  variable: 'TEST_PG_URL' | 'TEST_MYSQL_URL',
  name: string,
  suite: (url: string) => void,
): void {
  const url = databaseUrl(variable);
  if (url !== undefined) {
    describe(name, () => suite(url));
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${variable}`, () => {
        throw new Error(`${variable} is not set: CI must run this suite against a real database (see .ci/run)`);
      });
    });
    return;
  }
  console.warn(`[vigil tests] ${variable} is not set: skipping "${name}" (CI=true makes this a failure)`);
  describe.skipIf(true)(name, () => suite(''));
}

/** A name unique to this test run, safe as an unquoted identifier. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A Postgres database of its own for a suite, made before it and dropped after it, on the
 * server of `serverUrl`. Returns its url; worked out when called, since a skipped suite is
 * still collected (with an empty url).
 */
export function freshPostgresDatabase(serverUrl: string, prefix: string): () => string {
  const database = uniqueName(prefix);
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  beforeAll(() => admin(`CREATE DATABASE ${database}`));
  afterAll(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  return () => {
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
}
