import type { PolicyRegistry, RegistryChange } from '../../src/policies/policy-registry.js';

/**
 * Resolves with the first registry change that satisfies `predicate`. Waiting on the event itself is
 * the synchronisation; the timeout only turns a missing event into a clear failure instead of a hang.
 */
export function nextChange(
  registry: PolicyRegistry,
  predicate: (change: RegistryChange) => boolean,
  timeoutMs = 10_000,
): Promise<RegistryChange> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`no matching policy change within ${timeoutMs} ms`));
    }, timeoutMs);
    registry.onChange((change) => {
      if (done || !predicate(change)) return;
      done = true;
      clearTimeout(timer);
      resolve(change);
    });
  });
}
