/** Waiting on measured conditions with a deadline: the e2e tests never sleep to synchronise. */

export interface WaitOptions {
  readonly timeoutMs: number;
  /** Between checks. @default 200 */
  readonly intervalMs?: number;
  /** Says what was awaited when the deadline passes. */
  readonly what: string;
}

/**
 * Calls `check` until it returns a value other than undefined (or false), or the deadline passes.
 * A check that throws counts as not yet (its last error is reported at the deadline).
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${(lastError as Error).message})`;
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
