import { describe, expect, it } from 'vitest';
import { BIGQUERY_LEXICON, notASingleQuery, SNOWFLAKE_LEXICON } from '../../connectors/shared/single-select.js';

/** The guard in front of Snowflake and BigQuery, which have no read-only transaction. */
describe.each([
  ['snowflake', SNOWFLAKE_LEXICON],
  ['bigquery', BIGQUERY_LEXICON],
] as const)('%s: one query, nothing else', (_, lexicon) => {
  it.each([
    'SELECT 1',
    'select count(*) from t;',
    'SELECT 1;  \n ; ',
    '  (SELECT 1)',
    'WITH x AS (SELECT 1 AS a) SELECT a FROM x',
    "SELECT ';' AS semi, 'it''s' AS q FROM t WHERE s = 'a\\'; DROP TABLE t; --'",
    'SELECT 1 -- ; DROP TABLE t\n',
    'SELECT /* ; DROP TABLE t; */ 1',
  ])('lets %j through', (sql) => {
    expect(notASingleQuery(sql, lexicon)).toBeUndefined();
  });

  it.each([
    ['SELECT 1; DROP TABLE t', /only one statement/],
    // A ";" inside the custom query's wrapper is not a trailing one.
    ['SELECT * FROM (\nSELECT 1; -- trailing\n) AS vigil_custom LIMIT 2', /only one statement/],
    ['SELECT 1 FROM t WHERE (1=1); DELETE FROM t; SELECT (1)', /only one statement/],
    ['DELETE FROM t', /only a query \(SELECT or WITH\) may run, not DELETE/],
    ['  drop table t', /not DROP/],
    ['CALL p()', /not CALL/],
    ['EXECUTE IMMEDIATE \'DROP TABLE t\'', /not EXECUTE/],
    ['BEGIN SELECT 1; END', /only one statement|not BEGIN/],
    ["SELECT 'unclosed", /never closed/],
    ['SELECT /* unclosed', /never closed/],
    ['', /not this/],
  ])('refuses %j', (sql, message) => {
    expect(notASingleQuery(sql, lexicon)).toMatch(message);
  });
});

describe('what each warehouse reads as a literal or a comment', () => {
  it('Snowflake: $$ strings and // comments hide a ";", a backslash does not escape inside "..."', () => {
    expect(notASingleQuery('SELECT $$;DROP TABLE t;$$', SNOWFLAKE_LEXICON)).toBeUndefined();
    expect(notASingleQuery('SELECT 1 // ; DROP TABLE t\n', SNOWFLAKE_LEXICON)).toBeUndefined();
    // "a\" is the identifier a\ in Snowflake, so what follows is a second statement.
    expect(notASingleQuery('SELECT "a\\" ; DROP TABLE t; SELECT "x"', SNOWFLAKE_LEXICON)).toMatch(/only one statement/);
  });

  it('BigQuery: # comments, triple-quoted strings and backslash escapes in backticks', () => {
    expect(notASingleQuery('SELECT 1 # ; DROP TABLE t\n', BIGQUERY_LEXICON)).toBeUndefined();
    expect(notASingleQuery("SELECT '''a ; ' b''' AS x", BIGQUERY_LEXICON)).toBeUndefined();
    expect(notASingleQuery('SELECT `a\\`; DROP TABLE t; --` FROM t', BIGQUERY_LEXICON)).toBeUndefined();
    expect(notASingleQuery('SELECT """x""" ; DROP TABLE t', BIGQUERY_LEXICON)).toMatch(/only one statement/);
  });
});
