/**
 * Resolves an RFC 6901 pointer in a parsed JSON document. Returns the value as a label string
 * (strings as-is, numbers and booleans printed), or undefined when absent or not a scalar.
 */
export function resolveJsonPointer(document: unknown, pointer: string): string | undefined {
  if (pointer === '') return scalarText(document);
  let current: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(current, token)) return undefined;
      current = (current as Record<string, unknown>)[token];
    }
  }
  return scalarText(current);
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
