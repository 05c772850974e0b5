import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type ConfigPath = ReadonlyArray<string | number>;

/** One thing wrong with the config, at a path inside it. */
export interface ConfigIssue {
  path: ConfigPath;
  message: string;
  /** Point at the key rather than the value (for keys that should not be there). */
  atKey?: boolean;
}

/** A parsed config file that can say where each of its values was written. */
export interface ConfigSource {
  /** The file as the user named it, for messages. */
  displayName: string;
  doc: Document;
  lineCounter: LineCounter;
}

/** monitors[2].metric_type, warehouses.shop.url, warehouses["my wh"].url */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function offsetOf(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}

/**
 * The offset of the deepest node on `path` that exists: the value itself when it was
 * written, otherwise the object that should have held it.
 */
function locate(doc: Document, path: ConfigPath, atKey: boolean): number {
  let node: unknown = doc.contents;
  let best = offsetOf(doc.contents as Node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair !== undefined) {
        keyOffset = offsetOf(pair.key as Node);
        next = pair.value;
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    }
    if (next === undefined && keyOffset === undefined) break;
    const last = i === path.length - 1;
    if (last && atKey && keyOffset !== undefined) return keyOffset;
    best = offsetOf(next as Node) ?? keyOffset ?? best;
    node = next;
  }
  return best;
}

export function positionOf(source: ConfigSource, path: ConfigPath, atKey = false): { line: number; col: number } {
  return source.lineCounter.linePos(locate(source.doc, path, atKey));
}

/** vigil.yaml:14:5 monitors[2].metric_type: expected one of ... */
export function formatIssue(source: ConfigSource, issue: ConfigIssue): string {
  const { line, col } = positionOf(source, issue.path, issue.atKey ?? false);
  const where = issue.path.length === 0 ? '' : ` ${formatPath(issue.path)}:`;
  return `${source.displayName}:${line}:${col}${where} ${issue.message}`;
}

/** Orders issues as they appear in the file. */
export function sortIssues(source: ConfigSource, issues: readonly ConfigIssue[]): ConfigIssue[] {
  const key = (issue: ConfigIssue) => locate(source.doc, issue.path, issue.atKey ?? false);
  return [...issues].sort((a, b) => key(a) - key(b));
}
