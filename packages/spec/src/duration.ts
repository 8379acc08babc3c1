import { z } from 'zod';

/**
 * A Go-style duration string ("250ms", "1.5s", "30m", "1h30m"), as Kubernetes and Envoy users write them.
 * RE2-safe pattern: Helm validates values with Go's regexp.
 */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function durationSchema(description: string) {
  return z
    .string()
    .regex(new RegExp(DURATION_PATTERN), { message: 'must be a duration such as 250ms, 1.5s, 30m or 1h' })
    .describe(description);
}

/** Milliseconds in a duration string. Throws with the offending value when it is not a duration. */
export function durationMs(value: string): number {
  if (!new RegExp(DURATION_PATTERN).test(value)) {
    throw new Error(`"${value}" is not a duration: use a number with ms, s, m or h, such as 250ms or 1.5s`);
  }
  let total = 0;
  for (const match of value.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 0);
  }
  return total;
}

/** Formats milliseconds the way users write them: whole units where exact, else milliseconds. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
