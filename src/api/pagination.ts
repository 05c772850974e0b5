/**
 * The list envelope of the Monitors API (reference/monitors-api.txt): `?page=N&page_size=M`
 * in (checked by pagingQuery in schemas.ts), `{links, meta, count, total_pages, results}` out. Where the reference prints the
 * Python string "None" we send JSON null.
 */

export const PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface ListEnvelope<T> {
  links: { next: string | null; previous: string | null };
  meta: { page: number; previous_page: number | null; next_page: number | null };
  count: number;
  total_pages: number;
  results: T[];
}

function isPageParam(pair: string): boolean {
  const key = pair.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(key.replace(/\+/g, ' ')) === 'page';
  } catch {
    return false;
  }
}

/** The request's absolute URL with `page` set to `page`; every other parameter kept as sent. */
function pageUrl(requestUrl: URL, page: number): string {
  const url = new URL(requestUrl.href);
  const pairs = url.search.length > 1 ? url.search.slice(1).split('&') : [];
  const kept: string[] = [];
  let placed = false;
  for (const pair of pairs) {
    if (!isPageParam(pair)) kept.push(pair);
    else if (!placed) {
      kept.push(`page=${page}`);
      placed = true;
    }
  }
  if (!placed) kept.push(`page=${page}`);
  url.search = kept.join('&');
  return url.href;
}

/**
 * One page of a list. `count` is the number of items over all pages; there is always at
 * least one page. Past the last page the results are empty, there is no next page, and the
 * previous page is the last one.
 */
export function envelope<T>(requestUrl: URL, page: number, pageSize: number, count: number, results: T[]): ListEnvelope<T> {
  const totalPages = Math.max(1, Math.ceil(count / pageSize));
  const next = page < totalPages ? page + 1 : null;
  const previous = page > 1 ? Math.min(page - 1, totalPages) : null;
  return {
    links: {
      next: next === null ? null : pageUrl(requestUrl, next),
      previous: previous === null ? null : pageUrl(requestUrl, previous),
    },
    meta: { page, previous_page: previous, next_page: next },
    count,
    total_pages: totalPages,
    results,
  };
}
