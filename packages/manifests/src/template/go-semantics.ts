/**
 * TypeScript mirrors of the Go template and Sprig behaviours the values-expression layer relies on. Each
 * function reproduces what Helm does with the same input, because synthesis and `helm template` must agree
 * byte for byte on every value they print.
 *
 * @see https://pkg.go.dev/text/template#hdr-Functions
 * @see https://masterminds.github.io/sprig/
 */

/** Go's template truth: false, 0, nil, "" and empty collections are false (text/template `if`, `and`, `or`, `not`). */
export function goTruthy(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Sprig's `empty`, which `default` uses to decide whether to fall back. */
export function goEmpty(value: unknown): boolean {
  return !goTruthy(value);
}

/**
 * Go's `%v` for a float64, which is what Helm holds for every number read from a values file: shortest
 * digits, switching to an exponent from 1e+06 upwards (`strconv.FormatFloat(f, 'g', -1, 64)`).
 */
export function goFormatNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  if (value === 0) return '0';
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

/** Sprig's `toString` (its `strval`): strings as they are, numbers as `%v`, booleans as words. */
export function goToString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goFormatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === undefined || value === null) return '<nil>';
  return JSON.stringify(value);
}

/** Escapes Go's encoding/json applies by default (HTML-safe output); the decoded value is unchanged. */
const GO_JSON_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      sorted[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/** Sprig's `toJson`: Go's json.Marshal, which sorts map keys and escapes HTML characters. */
export function goToJson(value: unknown): string {
  const text = JSON.stringify(sortKeysDeep(value === undefined ? null : value));
  return text.replace(/[<>&\u2028\u2029]/g, (character) => GO_JSON_ESCAPES[character] ?? character);
}

/** Sprig's `quote`: Go's `%q` of the string form. Only printable ASCII is accepted, where `%q` and JSON agree. */
export function goQuote(value: unknown): string {
  const text = goToString(value);
  if (!/^[\x20-\x7e]*$/.test(text)) {
    throw new Error(
      `quote: ${JSON.stringify(text)} holds characters outside printable ASCII, where Go's %q and YAML may differ`,
    );
  }
  return JSON.stringify(text);
}

/**
 * Sprig's `int` (spf13/cast `ToInt`) on the inputs values give: numbers are truncated toward zero, booleans
 * are 1 or 0, nil is 0, and a string is read as an integer or else gives 0.
 */
export function goToInt(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return /^[-+]?[0-9]+$/.test(value.trim()) ? Number.parseInt(value, 10) : 0;
  return 0;
}

/** Sprig's `trunc`: the first `length` bytes (our inputs are ASCII names, so bytes are characters). */
export function goTrunc(length: number, value: string): string {
  return value.length > length ? value.slice(0, length) : value;
}

/** Sprig's `trimSuffix`: removes one trailing occurrence. */
export function goTrimSuffix(suffix: string, value: string): string {
  return suffix.length > 0 && value.endsWith(suffix) ? value.slice(0, value.length - suffix.length) : value;
}
