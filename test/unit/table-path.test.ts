import { describe, expect, it } from 'vitest';
import { parseTablePath } from '../../src/domain/table-path.js';

describe('parseTablePath', () => {
  it.each<[string, string[]]>([
    ['orders', ['orders']],
    ['public.orders', ['public', 'orders']],
    ['analytics.public.orders', ['analytics', 'public', 'orders']],
    ['a.b.c.d', ['a', 'b', 'c', 'd']],
  ])('splits %s on dots', (text, parts) => {
    expect(parseTablePath(text)).toEqual({ parts });
  });

  it('trims spaces around unquoted parts but keeps spaces inside them', () => {
    expect(parseTablePath(' public . order lines ')).toEqual({ parts: ['public', 'order lines'] });
  });

  it('keeps dots inside a double-quoted part', () => {
    expect(parseTablePath('"my.schema".orders')).toEqual({ parts: ['my.schema', 'orders'] });
    expect(parseTablePath('db."my.schema"."or.ders"')).toEqual({ parts: ['db', 'my.schema', 'or.ders'] });
  });

  it('reads "" inside a quoted part as one quote', () => {
    expect(parseTablePath('"we""ird".t')).toEqual({ parts: ['we"ird', 't'] });
    expect(parseTablePath('""""')).toEqual({ parts: ['"'] });
  });

  it('keeps a quoted part verbatim, spaces included', () => {
    expect(parseTablePath('" padded ".t')).toEqual({ parts: [' padded ', 't'] });
  });

  it('reports an unclosed quote', () => {
    expect(parseTablePath('"my.schema.orders')).toEqual({ error: 'unclosed quote in table name "\\"my.schema.orders"' });
    expect(parseTablePath('a."b""')).toEqual({ error: 'unclosed quote in table name "a.\\"b\\"\\""' });
  });

  it('reports text glued to a quoted part', () => {
    expect(parseTablePath('"a"b.c')).toEqual({ error: 'expected "." after a quoted part in table name "\\"a\\"b.c"' });
  });

  it.each(['', 'a..b', '.orders', 'a. .b', '"".orders', '   '])('reports an empty part in %j', (text) => {
    expect(parseTablePath(text)).toEqual({ error: `empty part in table name ${JSON.stringify(text)}` });
  });

  it.each(['public.', 'a.b.', '"a".'])('reports a trailing dot in %j', (text) => {
    expect(parseTablePath(text)).toEqual({ error: `table name ${JSON.stringify(text)} ends with "."` });
  });

  it('rejects a NUL character, quoted or not', () => {
    expect(parseTablePath('or\u0000ders')).toEqual({ error: 'a table name must not contain a NUL character' });
    expect(parseTablePath('"or\u0000ders"')).toEqual({ error: 'a table name must not contain a NUL character' });
  });
});
