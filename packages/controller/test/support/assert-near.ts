import assert from 'node:assert/strict';

/** Asserts |actual − expected| ≤ tolerance; floating-point products such as 50 × 1.1 are not exact. */
export function assertNear(
  actual: number | undefined,
  expected: number,
  tolerance = 1e-9,
  message?: string,
): void {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) <= tolerance,
    message ?? `expected ${expected} ± ${tolerance}, got ${actual}`,
  );
}
