import { describe, expect, it } from 'vitest';
import { interpolateString, type Environment } from '../../src/config/interpolate.js';
import { parseConfig } from '../../src/config/load.js';
import type { VigilConfig } from '../../src/config/types.js';
import { VigilError } from '../../src/domain/errors.js';
import type { ServerWarehouseConfig } from '../../src/domain/warehouse.js';

describe('interpolateString', () => {
  const env: Environment = { HOST: 'db.internal', PORT: '5432', EMPTY: '', UNDEF: undefined };

  it('leaves text without references alone', () => {
    expect(interpolateString('plain $text {braces} $HOST', env)).toEqual({ value: 'plain $text {braces} $HOST', problems: [] });
  });

  it('replaces every ${VAR}, inside surrounding text', () => {
    expect(interpolateString('postgres://${HOST}:${PORT}/db', env)).toEqual({ value: 'postgres://db.internal:5432/db', problems: [] });
  });

  it('reports an unset variable by name and keeps the reference', () => {
    expect(interpolateString('x-${MISSING}-y', env)).toEqual({
      value: 'x-${MISSING}-y',
      problems: ['environment variable MISSING is not set'],
    });
  });

  it('treats a key holding undefined as unset', () => {
    expect(interpolateString('${UNDEF}', env).problems).toEqual(['environment variable UNDEF is not set']);
  });

  it('reports an empty variable as empty', () => {
    expect(interpolateString('${EMPTY}', env)).toEqual({ value: '${EMPTY}', problems: ['environment variable EMPTY is empty'] });
  });

  it('uses the default after :- when the variable is unset or empty, not when set', () => {
    expect(interpolateString('${MISSING:-fallback}', env)).toEqual({ value: 'fallback', problems: [] });
    expect(interpolateString('${EMPTY:-fallback}', env)).toEqual({ value: 'fallback', problems: [] });
    expect(interpolateString('${HOST:-fallback}', env)).toEqual({ value: 'db.internal', problems: [] });
  });

  it('takes everything after the first :- as the default, empty included', () => {
    expect(interpolateString('${MISSING:-a:-b c}', env)).toEqual({ value: 'a:-b c', problems: [] });
    expect(interpolateString('[${MISSING:-}]', env)).toEqual({ value: '[]', problems: [] });
  });

  it('writes $${ as a literal ${ without looking the name up', () => {
    expect(interpolateString('$${MISSING}', env)).toEqual({ value: '${MISSING}', problems: [] });
    expect(interpolateString("SELECT '$${' || x, '${HOST}'", env)).toEqual({ value: "SELECT '${' || x, 'db.internal'", problems: [] });
  });

  it('reports an unterminated ${', () => {
    expect(interpolateString('sqlite:${HOST', env)).toEqual({
      value: 'sqlite:${HOST',
      problems: ['"${" is not closed by "}" (write $${ for a literal ${)'],
    });
  });

  it.each(['${}', '${1ABC}', '${A B}', '${A-b}', '${:-x}'])('reports %s as not a variable reference', (text) => {
    const body = text.slice(2, -1);
    expect(interpolateString(text, env)).toEqual({
      value: text,
      problems: [`\${${body}} is not a variable reference: expected \${NAME} or \${NAME:-default}`],
    });
  });

  it('reports every problem of one string, in order', () => {
    expect(interpolateString('${A}/${EMPTY}/${HOST}/${', env).problems).toEqual([
      'environment variable A is not set',
      'environment variable EMPTY is empty',
      '"${" is not closed by "}" (write $${ for a literal ${)',
    ]);
  });
});

/** Parses config text as vigil.yaml, or returns the lines of the config error it throws. */
function load(text: string, env: Environment): VigilConfig {
  return parseConfig(text, '/srv/vigil/vigil.yaml', env, 'vigil.yaml');
}

function errorLines(text: string, env: Environment): string[] {
  try {
    load(text, env);
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('config_invalid');
    return (error as VigilError).message.split('\n');
  }
  throw new Error('expected the config to be rejected');
}

function server(config: VigilConfig, name: string): ServerWarehouseConfig {
  const found = config.warehouses.find((w) => w.name === name);
  if (found === undefined || (found.config.type !== 'postgres' && found.config.type !== 'mysql')) throw new Error(`no server warehouse ${name}`);
  return found.config;
}

describe('interpolation in the config file', () => {
  const pg = (port: string) => `warehouses:
  pg:
    type: postgres
    host: db
    port: ${port}
`;

  it('names the unset variable at the position of its scalar', () => {
    expect(errorLines('store: ${VIGIL_STORE}\nwarehouses: {}\n', {})).toEqual([
      'vigil.yaml:1:8 store: environment variable VIGIL_STORE is not set',
    ]);
  });

  it('gives the path of a nested value and of a list item', () => {
    const text = `warehouses:
  wh:
    type: sqlite
    path: "\${DATA_DIR}/w.db"
monitors:
  - warehouse: wh
    table: [analytics, "\${TABLE}"]
    metric_type: row_count
`;
    expect(errorLines(text, {})).toEqual([
      'vigil.yaml:4:11 warehouses.wh.path: environment variable DATA_DIR is not set',
      'vigil.yaml:7:24 monitors[0].table[1]: environment variable TABLE is not set',
    ]);
  });

  it('reports an empty variable', () => {
    expect(errorLines('store: ${VIGIL_STORE}\nwarehouses: {}\n', { VIGIL_STORE: '' })).toEqual([
      'vigil.yaml:1:8 store: environment variable VIGIL_STORE is empty',
    ]);
  });

  it('uses the default when the variable is unset or empty', () => {
    const text = 'store: ${VIGIL_STORE:-sqlite:./state/vigil.db}\nwarehouses: {}\n';
    const expected = { kind: 'sqlite', path: '/srv/vigil/state/vigil.db' };
    expect(load(text, {}).store).toEqual(expected);
    expect(load(text, { VIGIL_STORE: '' }).store).toEqual(expected);
    expect(load(text, { VIGIL_STORE: 'postgres://vigil@db/vigil' }).store).toEqual({ kind: 'postgres', url: 'postgres://vigil@db/vigil' });
  });

  it('writes $${ as a literal ${ in a block scalar', () => {
    const text = `warehouses:
  wh: { type: sqlite, path: w.db }
monitors:
  - name: Templated rows
    warehouse: wh
    metric_type: custom_sql
    metric_config:
      query_select: |
        SELECT COUNT(*) FROM t WHERE tag = '$\${x}' AND env = '\${ENV_NAME}'
`;
    const config = load(text, { ENV_NAME: 'prod' });
    expect(config.monitors[0]!.metricConfig.query_select).toBe("SELECT COUNT(*) FROM t WHERE tag = '${x}' AND env = 'prod'\n");
  });

  it('reports an unterminated ${ at its scalar', () => {
    expect(errorLines('store: "sqlite:${DIR/vigil.db"\nwarehouses: {}\n', { DIR: '/x' })).toEqual([
      'vigil.yaml:1:8 store: "${" is not closed by "}" (write $${ for a literal ${)',
    ]);
  });

  it('reports a malformed reference', () => {
    expect(errorLines('store: sqlite:${1DIR}/v.db\nwarehouses: {}\n', {})).toEqual([
      'vigil.yaml:1:8 store: ${1DIR} is not a variable reference: expected ${NAME} or ${NAME:-default}',
    ]);
  });

  it('reports every interpolation problem, ordered by position', () => {
    const text = `warehouses:
  pg:
    type: postgres
    url: \${PG_URL}
    password: \${PG_PASSWORD}
store: \${VIGIL_STORE}
`;
    expect(errorLines(text, { PG_PASSWORD: '' })).toEqual([
      'vigil.yaml:4:10 warehouses.pg.url: environment variable PG_URL is not set',
      'vigil.yaml:5:15 warehouses.pg.password: environment variable PG_PASSWORD is empty',
      'vigil.yaml:6:8 store: environment variable VIGIL_STORE is not set',
    ]);
  });

  it('types a plain ${PORT} as the number it spells', () => {
    expect(server(load(pg('${PORT}'), { PORT: '5432' }), 'pg').port).toBe(5432);
  });

  it('types a plain ${PORT:-default} by its default when unset', () => {
    expect(server(load(pg('${PORT:-6543}'), {}), 'pg').port).toBe(6543);
  });

  it('takes a quoted "${PORT}" as a number too, since a port is a number', () => {
    expect(server(load(pg('"${PORT}"'), { PORT: '5432' }), 'pg').port).toBe(5432);
  });

  it('keeps a plain ${PG_PASSWORD} of digits or a boolean word the string it is', () => {
    const text = `warehouses:
  pg:
    type: postgres
    host: db
    password: \${PG_PASSWORD}
`;
    expect(server(load(text, { PG_PASSWORD: '12345' }), 'pg').password).toBe('12345');
    expect(server(load(text, { PG_PASSWORD: 'true' }), 'pg').password).toBe('true');
    expect(server(load(text, { PG_PASSWORD: '0x1F' }), 'pg').password).toBe('0x1F');
  });

  it('keeps a quoted "${VAR}" a string where a string is expected', () => {
    const text = `warehouses:
  pg:
    type: postgres
    host: db
    user: "\${PG_USER}"
    password: '\${PG_PASSWORD}'
`;
    const config = server(load(text, { PG_USER: '1234', PG_PASSWORD: 'true' }), 'pg');
    expect(config.user).toBe('1234');
    expect(config.password).toBe('true');
  });

  it('keeps a plain value with more than one reference a string', () => {
    const text = `warehouses:
  pg:
    type: postgres
    host: \${A}\${B}
`;
    expect(server(load(text, { A: '12', B: '34' }), 'pg').host).toBe('1234');
  });

  it('types a plain ${VAR} as a boolean when it spells one', () => {
    const text = `warehouses:
  wh: { type: sqlite, path: w.db }
monitors:
  - warehouse: wh
    table: orders
    metric_type: row_count
    enabled: \${MONITORS_ON:-false}
`;
    expect(load(text, {}).monitors[0]!.isEnabled).toBe(false);
    expect(load(text, { MONITORS_ON: 'true' }).monitors[0]!.isEnabled).toBe(true);
  });

  it('keeps the text of a plain ${VAR} that stays a string exactly as the variable holds it', () => {
    // Only the type may come from the text: quotes, comments and padding in a secret are part of it.
    const text = `warehouses:
  pg:
    type: postgres
    host: db
    password: \${PG_PASSWORD}
`;
    expect(server(load(text, { PG_PASSWORD: "'s3cret' #1" }), 'pg').password).toBe("'s3cret' #1");
    expect(server(load(text, { PG_PASSWORD: 'p4ss #word' }), 'pg').password).toBe('p4ss #word');
  });

  it('does not interpolate keys', () => {
    const text = `warehouses:
  wh: { type: sqlite, path: w.db }
monitors:
  - warehouse: wh
    table: orders
    metric_type: row_count
    condition:
      \${KEY}: 3
`;
    expect(errorLines(text, { KEY: 'sensitivity' })).toEqual(['vigil.yaml:8:7 monitors[0].condition["${KEY}"]: unknown field']);
  });
});
