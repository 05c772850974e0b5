import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_PAGE_SIZE, PAGE_SIZE, envelope } from '../../src/api/pagination.js';
import { fieldErrors, pagingQuery } from '../../src/api/schemas.js';

/** page and page_size as the routes read them: validated by the schema, defaults applied. */
function parsePaging(query: Record<string, unknown>) {
  const parsed = z.object(pagingQuery).safeParse(query);
  if (!parsed.success) return { ok: false, errors: { ...fieldErrors(parsed.error.issues) } };
  return { ok: true, page: Number(parsed.data.page ?? 1), pageSize: Number(parsed.data.page_size ?? PAGE_SIZE) };
}

describe('parsePaging', () => {
  it('defaults to page 1 of 50', () => {
    expect(PAGE_SIZE).toBe(50);
    expect(MAX_PAGE_SIZE).toBe(500);
    expect(parsePaging({})).toEqual({ ok: true, page: 1, pageSize: 50 });
    expect(parsePaging({ page: undefined, page_size: undefined, monitor: 'x' })).toEqual({ ok: true, page: 1, pageSize: 50 });
  });

  it('reads page and page_size from query-string text', () => {
    expect(parsePaging({ page: '3', page_size: '20' })).toEqual({ ok: true, page: 3, pageSize: 20 });
    expect(parsePaging({ page: '1', page_size: '1' })).toEqual({ ok: true, page: 1, pageSize: 1 });
    expect(parsePaging({ page_size: '500' })).toEqual({ ok: true, page: 1, pageSize: 500 });
  });

  it('accepts a page past the last one (the list is just empty)', () => {
    expect(parsePaging({ page: '100000' })).toEqual({ ok: true, page: 100000, pageSize: 50 });
  });

  it.each(['0', '-1', '1.5', 'abc', '', ' 2', '+2', '1e3', '0x10', '99999999999999999999'])('rejects page %j', (value) => {
    expect(parsePaging({ page: value })).toEqual({
      ok: false,
      errors: { page: [`must be a whole number of at least 1, got ${JSON.stringify(value)}`] },
    });
  });

  it.each(['0', '-1', '1.5', 'abc', '', '501', '5000'])('rejects page_size %j', (value) => {
    expect(parsePaging({ page_size: value })).toEqual({
      ok: false,
      errors: { page_size: [`must be a whole number from 1 to 500, got ${JSON.stringify(value)}`] },
    });
  });

  it('rejects a parameter given more than once', () => {
    expect(parsePaging({ page: ['1', '2'] })).toEqual({ ok: false, errors: { page: ['must be given once, got 2 values'] } });
    expect(parsePaging({ page_size: ['10', '20', '30'] })).toEqual({
      ok: false,
      errors: { page_size: ['must be given once, got 3 values'] },
    });
  });

  it('rejects values that are not query-string text', () => {
    expect(parsePaging({ page: 2 })).toEqual({ ok: false, errors: { page: ['must be a whole number of at least 1, got 2'] } });
    expect(parsePaging({ page_size: { a: '1' } })).toEqual({
      ok: false,
      errors: { page_size: ['must be a whole number from 1 to 500, got {"a":"1"}'] },
    });
  });

  it('reports both fields at once', () => {
    expect(parsePaging({ page: 'x', page_size: '501' })).toEqual({
      ok: false,
      errors: {
        page: ['must be a whole number of at least 1, got "x"'],
        page_size: ['must be a whole number from 1 to 500, got "501"'],
      },
    });
  });
});

describe('envelope', () => {
  const base = 'http://localhost:8080/api/v1/monitor/monitors';
  const at = (query: string) => new URL(`${base}${query}`);

  it('first of three pages: a next link, no previous', () => {
    expect(envelope(at(''), 1, 50, 120, ['a'])).toEqual({
      links: { next: `${base}?page=2`, previous: null },
      meta: { page: 1, previous_page: null, next_page: 2 },
      count: 120,
      total_pages: 3,
      results: ['a'],
    });
  });

  it('middle page: both links', () => {
    expect(envelope(at('?page=2'), 2, 50, 120, ['b'])).toEqual({
      links: { next: `${base}?page=3`, previous: `${base}?page=1` },
      meta: { page: 2, previous_page: 1, next_page: 3 },
      count: 120,
      total_pages: 3,
      results: ['b'],
    });
  });

  it('last page: a previous link, no next', () => {
    expect(envelope(at('?page=3'), 3, 50, 120, ['c'])).toEqual({
      links: { next: null, previous: `${base}?page=2` },
      meta: { page: 3, previous_page: 2, next_page: null },
      count: 120,
      total_pages: 3,
      results: ['c'],
    });
  });

  it('a last page that is exactly full has no next page', () => {
    const last = envelope(at('?page=2'), 2, 50, 100, []);
    expect(last.total_pages).toBe(2);
    expect(last.links.next).toBeNull();
    expect(last.meta.next_page).toBeNull();
  });

  it('the only page: no links', () => {
    expect(envelope(at(''), 1, 50, 7, [1, 2, 3, 4, 5, 6, 7])).toEqual({
      links: { next: null, previous: null },
      meta: { page: 1, previous_page: null, next_page: null },
      count: 7,
      total_pages: 1,
      results: [1, 2, 3, 4, 5, 6, 7],
    });
  });

  it('an empty list is one empty page', () => {
    expect(envelope(at(''), 1, 50, 0, [])).toEqual({
      links: { next: null, previous: null },
      meta: { page: 1, previous_page: null, next_page: null },
      count: 0,
      total_pages: 1,
      results: [],
    });
  });

  it('past the last page: no next, and previous points at the last page', () => {
    expect(envelope(at('?page=9'), 9, 50, 120, [])).toEqual({
      links: { next: null, previous: `${base}?page=3` },
      meta: { page: 9, previous_page: 3, next_page: null },
      count: 120,
      total_pages: 3,
      results: [],
    });
  });

  it('counts pages with the requested page size', () => {
    const page = envelope(at('?page_size=10&page=2'), 2, 10, 25, []);
    expect(page.total_pages).toBe(3);
    expect(page.links).toEqual({ next: `${base}?page_size=10&page=3`, previous: `${base}?page_size=10&page=1` });
  });

  it('keeps every other query parameter as sent, in place, and changes only page', () => {
    const url = at('?monitor=886337a0&page=2&page_size=10&tag=a%20b&tag=c+d&flag');
    expect(envelope(url, 2, 10, 35, []).links).toEqual({
      next: `${base}?monitor=886337a0&page=3&page_size=10&tag=a%20b&tag=c+d&flag`,
      previous: `${base}?monitor=886337a0&page=1&page_size=10&tag=a%20b&tag=c+d&flag`,
    });
  });

  it('adds page when the request had none', () => {
    expect(envelope(at('?incident_id=40b3e4d3&page_size=10'), 1, 10, 35, []).links.next).toBe(
      `${base}?incident_id=40b3e4d3&page_size=10&page=2`,
    );
  });

  it('does not take a parameter that merely contains "page" for page', () => {
    expect(envelope(at('?homepage=5&page_sizes=1'), 1, 50, 120, []).links.next).toBe(`${base}?homepage=5&page_sizes=1&page=2`);
  });

  it('keeps the scheme, host and port of the request', () => {
    const next = envelope(new URL('https://vigil.internal:8443/monitor/incidents/'), 1, 50, 51, []).links.next;
    expect(next).toBe('https://vigil.internal:8443/monitor/incidents/?page=2');
  });
});
