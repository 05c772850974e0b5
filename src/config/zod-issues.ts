import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import type { ConfigIssue, ConfigPath } from './source.js';

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, path: ConfigPath): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** zod's type names, as the YAML author thinks of them. */
function expectedName(expected: string): string {
  switch (expected) {
    case 'int':
      return 'a whole number';
    case 'record':
    case 'object':
      return 'a mapping (key: value lines)';
    case 'array':
      return 'a list';
    default:
      return expected;
  }
}

function list(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

/** "did you mean x?" when a word is close to one of the known ones. */
export function suggestion(word: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const best = closest(word, [...known]);
  return distance(word, best) <= Math.max(2, Math.floor(best.length / 3)) ? ` (did you mean ${best}?)` : '';
}

/** Known keys of the strict object at a path, for suggestions. */
export type KnownKeys = (path: ConfigPath) => readonly string[];

/** Turns zod's issues into messages that say what was expected and what was found. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], input: unknown, knownKeys: KnownKeys): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const found = valueAt(input, path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          out.push({ path: [...path, key], atKey: true, message: `unknown field${suggestion(key, knownKeys(path))}` });
        }
        break;
      case 'invalid_type':
        out.push({
          path,
          message: found === undefined ? 'is required' : `expected ${expectedName(issue.expected)}, got ${describeValue(found)}`,
        });
        break;
      case 'invalid_value':
        out.push({ path, message: `expected ${issue.values.length === 1 ? list(issue.values) : `one of ${list(issue.values)}`}, got ${describeValue(found)}` });
        break;
      case 'invalid_union': {
        const options = (issue as { options?: unknown[] }).options;
        if (Array.isArray(options)) {
          out.push({ path, message: `expected one of ${list(options)}, got ${describeValue(found)}` });
        } else {
          // An alternative whose type matched the value says what is wrong with it; when
          // none matched, say which types would have done.
          const branches = issue.errors.filter((b) => b.length > 0);
          const wrongType = (b: readonly z.core.$ZodIssue[]) => b.length === 1 && b[0]!.code === 'invalid_type' && b[0]!.path.length === 0;
          const matched = branches.filter((b) => !wrongType(b)).sort((a, b) => a.length - b.length)[0];
          if (matched === undefined) {
            const expected = branches.map((b) => expectedName((b[0] as { expected?: string }).expected ?? 'value'));
            out.push({ path, message: `expected ${expected.join(' or ')}, got ${describeValue(found)}` });
          } else {
            const nested = matched.map((b) => ({ ...b, path: [...issue.path, ...b.path] })) as z.core.$ZodIssue[];
            out.push(...fromZodIssues(nested, input, knownKeys));
          }
        }
        break;
      }
      case 'too_small':
        out.push({ path, message: tooSmall(issue, found) });
        break;
      case 'too_big':
        out.push({
          path,
          message: Array.isArray(found)
            ? `has ${found.length} items, at most ${String(issue.maximum)} allowed`
            : typeof found === 'string'
              ? `is longer than ${String(issue.maximum)} characters`
              : `must be at most ${String(issue.maximum)}, got ${describeValue(found)}`,
        });
        break;
      case 'invalid_format':
        // A pattern's own message says what is expected; a named format is named.
        out.push({
          path,
          message: issue.format === 'regex' ? `${issue.message}, got ${describeValue(found)}` : `expected a ${issue.format === 'uuid' ? 'UUID' : issue.format}, got ${describeValue(found)}`,
        });
        break;
      case 'invalid_key':
        out.push({ path, atKey: true, message: issue.issues[0]?.message ?? 'invalid name' });
        break;
      default:
        out.push({ path, message: issue.message });
    }
  }
  return out;
}

function tooSmall(issue: z.core.$ZodIssueTooSmall, found: unknown): string {
  if (typeof found === 'string' && issue.minimum === 1) return 'must not be empty';
  if (Array.isArray(found)) return `needs at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`;
  const bound = issue.inclusive === false ? 'greater than' : 'at least';
  return `must be ${bound} ${String(issue.minimum)}, got ${describeValue(found)}`;
}
