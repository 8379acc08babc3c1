/** The deepest nesting of objects and arrays a request body may have; the API's bodies need 4. */
export const MAX_JSON_NESTING = 32;

/**
 * Whether `text` nests objects and arrays deeper than `limit`, found in one pass before anything parses
 * or walks the value: a 30,000-deep body parses, but walking it recursively overflows the stack.
 * Brackets inside strings do not count. Malformed text is left for the parser to refuse.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c /* \ */) index += 1;
      else if (code === 0x22 /* " */) inString = false;
      continue;
    }
    if (code === 0x22) inString = true;
    else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) depth -= 1;
  }
  return false;
}
