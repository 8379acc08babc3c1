import fc from 'fast-check';
import type { z } from 'zod';

/**
 * fast-check arbitraries of a zod values schema's input: every key that has a default or is optional may be
 * left out, strings follow the schema's own patterns and length limits, numbers its bounds. Only the zod
 * kinds the chart values use are supported; anything else throws so a new kind is not silently skipped.
 */

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly entries?: Record<string, string>;
  readonly element?: z.ZodType;
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly checks?: readonly {
    _zod: { def: { check: string; pattern?: RegExp; maximum?: number; minimum?: number } };
  }[];
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function isOmittable(schema: z.ZodType): boolean {
  return ['optional', 'default', 'prefault'].includes(def(schema).type);
}

function stringArbitrary(schema: z.ZodType): fc.Arbitrary<string> {
  let pattern: RegExp | undefined;
  let maxLength = Number.POSITIVE_INFINITY;
  let minLength = 0;
  for (const check of def(schema).checks ?? []) {
    const { check: kind, pattern: regex, maximum, minimum } = check._zod.def;
    if (regex !== undefined) pattern = regex;
    if (kind === 'max_length' && maximum !== undefined) maxLength = maximum;
    if (kind === 'min_length' && minimum !== undefined) minLength = minimum;
  }
  const base = pattern === undefined ? fc.string({ maxLength: 20 }) : fc.stringMatching(pattern);
  return base.filter(
    (text) => text.length <= maxLength && text.length >= minLength && schema.safeParse(text).success,
  );
}

export function arbitraryFor(schema: z.ZodType): fc.Arbitrary<unknown> {
  const d = def(schema);
  switch (d.type) {
    case 'optional':
    case 'default':
    case 'prefault':
      return arbitraryFor(d.innerType as z.ZodType);
    case 'object': {
      const shape = d.shape ?? {};
      const model = Object.fromEntries(
        Object.entries(shape).map(([key, child]) => [key, arbitraryFor(child)]),
      );
      const requiredKeys = Object.entries(shape)
        .filter(([, child]) => !isOmittable(child))
        .map(([key]) => key);
      return fc.record(model, { requiredKeys });
    }
    case 'string':
      return stringArbitrary(schema);
    case 'enum':
      return fc.constantFrom(...Object.values(d.entries ?? {}));
    case 'boolean':
      return fc.boolean();
    case 'number': {
      const number = schema as z.ZodNumber;
      const min = number.minValue ?? -1_000_000;
      const max = number.maxValue ?? 1_000_000;
      return number.isInt
        ? fc.integer({ min: Math.max(min, -1_000_000), max: Math.min(max, 1_000_000_000) })
        : fc.double({ min, max, noNaN: true });
    }
    case 'array':
      return fc.array(arbitraryFor(d.element as z.ZodType), { maxLength: 3 });
    case 'record':
      // Label maps: up to three entries, empty included (an empty selector is a case of its own).
      return fc.dictionary(
        arbitraryFor(d.keyType as z.ZodType) as fc.Arbitrary<string>,
        arbitraryFor(d.valueType as z.ZodType),
        { maxKeys: 3 },
      );
    default:
      throw new Error(`no arbitrary for zod type ${d.type}`);
  }
}
