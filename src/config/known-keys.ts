import type { z } from 'zod';
import { configSchema } from './schema.js';
import type { ConfigPath } from './source.js';

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object schema at `path`, following the input to pick among union alternatives. */
function schemaAt(schema: z.ZodType, path: ConfigPath, input: unknown): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  let value = input;
  let i = 0;
  while (current !== undefined) {
    const def = defOf(current);
    if (def.innerType !== undefined) {
      current = def.innerType;
      continue;
    }
    if (def.type === 'pipe' && def.in !== undefined) {
      current = def.in;
      continue;
    }
    if (def.type === 'union' && def.options !== undefined) {
      const type = (value as { type?: unknown } | null)?.type;
      current = def.options.find((o) => {
        const literal = defOf(o).shape?.type;
        return literal !== undefined && (defOf(literal) as { values?: unknown[] }).values?.includes(type);
      }) ?? def.options.find((o) => defOf(o).type === 'object');
      continue;
    }
    if (i === path.length) return current;
    const segment = path[i++]!;
    value = (value as Record<string | number, unknown> | null)?.[segment];
    if (def.type === 'object') current = def.shape?.[String(segment)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return undefined;
  }
  return undefined;
}

/** The keys a strict object of the config accepts at a path, for "did you mean" hints. */
export function knownKeysAt(input: unknown) {
  return (path: ConfigPath): readonly string[] => {
    const schema = schemaAt(configSchema, path, input);
    const shape = schema === undefined ? undefined : defOf(schema).shape;
    return shape === undefined ? [] : Object.keys(shape);
  };
}
