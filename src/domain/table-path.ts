/**
 * Reads a table path as people write it: `public.orders`, `analytics.public.orders`, or with
 * double-quoted parts for names that hold dots or quotes: `"my.schema".orders` ("" is a quote).
 * Returns the parts, or a message saying what is wrong.
 */
export function parseTablePath(text: string): { parts: string[] } | { error: string } {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let part = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return { error: `unclosed quote in table name ${JSON.stringify(text)}` };
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
      if (i < text.length && text[i] !== '.') {
        return { error: `expected "." after a quoted part in table name ${JSON.stringify(text)}` };
      }
    } else {
      while (i < text.length && text[i] !== '.') part += text[i++];
      part = part.trim();
    }
    if (part === '') return { error: `empty part in table name ${JSON.stringify(text)}` };
    if (part.includes('\u0000')) return { error: 'a table name must not contain a NUL character' };
    parts.push(part);
    if (i >= text.length) break;
    i++; // the dot
    if (i === text.length) return { error: `table name ${JSON.stringify(text)} ends with "."` };
  }
  return { parts };
}

/** Why a table path does not fit a warehouse's limits on its parts, or undefined when it does. */
export function tablePartsProblem(type: string, parts: readonly string[], limits: { minTableParts: number; maxTableParts: number }): string | undefined {
  const shown = parts.join('.');
  if (parts.length > limits.maxTableParts) return `a ${type} table name has at most ${limits.maxTableParts} parts, got ${parts.length}: ${shown}`;
  if (parts.length < limits.minTableParts) return `a ${type} table name needs its dataset: dataset.table or project.dataset.table, got ${shown}`;
  return undefined;
}
