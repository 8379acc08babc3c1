import type { z } from 'zod';

/**
 * The field names a zod schema allows for the object at `path` (inside the input), for "did you mean"
 * on an unknown key. Wrappers (optional, default, pipe, lazy, ...) are looked through, arrays and records
 * step into their elements, and unions offer the fields of every branch.
 */
export function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const object of objectsAt(schema, path, 0)) for (const key of Object.keys(object)) keys.add(key);
  return [...keys];
}

type Shape = Readonly<Record<string, z.core.$ZodType>>;

/** Nesting depth past which a recursive (lazy) schema stops being followed. */
const MAX_DEPTH = 64;

function objectsAt(schema: z.core.$ZodType, path: readonly PropertyKey[], depth: number): Shape[] {
  if (depth > MAX_DEPTH) return [];
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const inner = (key: string): z.core.$ZodType => def[key] as z.core.$ZodType;
  const next = (child: z.core.$ZodType, rest: readonly PropertyKey[]) => objectsAt(child, rest, depth + 1);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
    case 'success':
      return next(inner('innerType'), path);
    case 'pipe':
      return next(inner('in'), path);
    case 'lazy':
      return next((def['getter'] as () => z.core.$ZodType)(), path);
    case 'union':
      return (def['options'] as z.core.$ZodType[]).flatMap((option) => next(option, path));
    case 'intersection':
      return [...next(inner('left'), path), ...next(inner('right'), path)];
    default:
      break;
  }
  const [head, ...rest] = path;
  if (def.type === 'object') {
    const shape = def['shape'] as Shape;
    if (head === undefined) return [shape];
    const child = typeof head === 'string' ? shape[head] : undefined;
    return child === undefined ? [] : next(child, rest);
  }
  if (head === undefined) return [];
  if (def.type === 'array') return next(inner('element'), rest);
  if (def.type === 'record') return next(inner('valueType'), rest);
  if (def.type === 'tuple') {
    const items = def['items'] as z.core.$ZodType[];
    const item = typeof head === 'number' ? items[head] : undefined;
    return item === undefined ? [] : next(item, rest);
  }
  return [];
}
