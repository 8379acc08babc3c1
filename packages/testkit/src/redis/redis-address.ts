/** The shared test Redis: REDIS_URL, else the one the CI script guarantees on 127.0.0.1:6379. */
export function redisUrl(): string {
  return process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}
