import { isScalar, visit, type Document, type Scalar } from 'yaml';
import type { ConfigIssue, ConfigPath } from './source.js';

export type Environment = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces ${VAR} and ${VAR:-default} in one string. `$${` writes a literal `${`.
 * A variable that is unset, or set but empty, takes the default after `:-`.
 */
export function interpolateString(text: string, env: Environment): { value: string; problems: string[] } {
  const problems: string[] = [];
  const value = text.replace(REFERENCE, (match, body: string | undefined) => {
    if (match === '$${') return '${';
    if (body === undefined) {
      problems.push('"${" is not closed by "}" (write $${ for a literal ${)');
      return match;
    }
    const separator = body.indexOf(':-');
    const name = separator === -1 ? body : body.slice(0, separator);
    if (!NAME.test(name)) {
      problems.push(`\${${body}} is not a variable reference: expected \${NAME} or \${NAME:-default}`);
      return match;
    }
    const set = env[name];
    if (set !== undefined && set !== '') return set;
    if (separator !== -1) return body.slice(separator + 2);
    problems.push(
      set === '' ? `environment variable ${name} is empty` : `environment variable ${name} is not set`,
    );
    return match;
  });
  return { value, problems };
}

/**
 * Interpolates every scalar value of the document in place, keeping each node (and so its
 * position in the file). The result is always the text the variables hold; fields that
 * take numbers or booleans accept text that spells one (see schema.ts).
 */
export function interpolateDocument(doc: Document, env: Environment): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Scalar(key, node: Scalar, ancestry) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const original = node.value;
      const { value, problems } = interpolateString(original, env);
      if (problems.length > 0) {
        const path = pathOf(ancestry, node);
        for (const message of problems) issues.push({ path, message });
        return;
      }
      node.value = value;
    },
  });
  return issues;
}


/** The config path of a scalar, from the nodes above it. */
function pathOf(ancestry: readonly unknown[], node: unknown): ConfigPath {
  const path: Array<string | number> = [];
  let child: unknown = node;
  for (let i = ancestry.length - 1; i >= 0; i--) {
    const parent = ancestry[i] as { items?: unknown[]; key?: unknown; value?: unknown };
    if (parent && 'key' in parent && 'value' in parent && parent.value === child) {
      const key = parent.key;
      path.unshift(isScalar(key) ? String(key.value) : String(key));
    } else if (parent && Array.isArray(parent.items)) {
      const index = parent.items.indexOf(child);
      if (index !== -1 && !('key' in (parent.items[index] as object ?? {}))) path.unshift(index);
    }
    child = parent;
  }
  return path;
}
