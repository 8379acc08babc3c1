import type { EventEmitter } from 'node:events';

/** Resolves once `emitter` has emitted `name` `count` times from now (`once` twice would resolve on one emit). */
export function eventCount(
  emitter: EventEmitter,
  name: string,
  count: number,
  timeoutMs = 10_000,
): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    const seen: unknown[][] = [];
    const timer = setTimeout(() => {
      emitter.off(name, listener);
      reject(new Error(`saw ${seen.length} of ${count} ${name} events within ${timeoutMs} ms`));
    }, timeoutMs);
    function listener(...args: unknown[]): void {
      seen.push(args);
      if (seen.length < count) return;
      clearTimeout(timer);
      emitter.off(name, listener);
      resolve(seen);
    }
    emitter.on(name, listener);
  });
}
