import { Redis } from 'ioredis';
import type { Clock } from '@sluice/clock';
import type { AgentLogger } from '../logging/agent-logger.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';
import type { BucketStore, BucketTake, BucketTakeResult, DecisionSource } from './bucket-store.js';
import type { LocalBucketStore } from './bucket-store-local.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { REDIS_BUCKET_SCRIPT } from './redis-bucket-script.js';

export interface RedisBucketStoreOptions {
  /** redis://host:port[/db] (no credentials in it). */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Prepended to every key; the bucket key itself is the hash tag. @default 'sluice:rl:' */
  readonly keyPrefix?: string;
  /** The local store used when Redis cannot answer in time. */
  readonly fallback: LocalBucketStore;
  readonly clock: Clock;
  readonly metrics?: AgentMetrics;
  readonly logger?: AgentLogger;
  /** Per-call timeout; past it the local bucket decides. @default 50 */
  readonly callTimeoutMs?: number;
  /** Idle expiry of bucket keys. @default 7_200_000 */
  readonly idleTtlMs?: number;
  /**
   * Time the script computes with: undefined means the Redis server's TIME (one clock for all
   * agents). Tests pass a manual clock's time to step the shared bucket deterministically.
   */
  readonly scriptNowMs?: () => number;
  readonly circuit?: { readonly failureThreshold?: number; readonly openMs?: number };
}

type BucketCommand = (key: string, ...args: string[]) => Promise<[number, string, string]>;

/**
 * Global rate-limit buckets in Redis: one Lua round trip per take, keys hash-tagged so a bucket
 * lives in one Cluster slot, no offline queue (a disconnected client fails fast instead of
 * buffering), a per-call timeout and a circuit breaker. Any failure falls back to the local bucket
 * and is counted as source `fallback`: during an outage N agents admit up to N× the global limit.
 * A refusal is cached locally until its refill time, so a hot, exhausted key costs no round trips.
 */
export class RedisBucketStore implements BucketStore {
  readonly client: Redis;
  readonly circuit: CircuitBreaker;
  private readonly prefix: string;
  private readonly negative = new Map<string, { untilMs: number; tokens: number; remaining: number }>();

  constructor(private readonly options: RedisBucketStoreOptions) {
    this.prefix = options.keyPrefix ?? 'sluice:rl:';
    this.client = new Redis(options.url, {
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      enableOfflineQueue: false,
      commandTimeout: options.callTimeoutMs ?? 50,
      maxRetriesPerRequest: 0,
      // Keep reconnecting in the background; calls meanwhile use the fallback.
      retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
      lazyConnect: false,
    });
    // Connection errors surface through failed calls; an unhandled 'error' event would crash.
    this.client.on('error', (error: Error) =>
      options.logger?.log('debug', 'redis connection error', { error: error.message }),
    );
    this.client.defineCommand('sluiceBucket', { numberOfKeys: 1, lua: REDIS_BUCKET_SCRIPT });
    this.circuit = new CircuitBreaker({
      clock: options.clock,
      ...(options.circuit ?? {}),
      onTransition: (from, to) => {
        options.metrics?.redisCircuitOpen.set(to === 'closed' ? 0 : 1);
        options.logger?.log(to === 'open' ? 'warn' : 'info', 'redis circuit breaker', { from, to });
      },
    });
  }

  /** The Redis key of a bucket: prefix plus the bucket key as hash tag. */
  redisKey(key: string): string {
    return `${this.prefix}{${key}}`;
  }

  /** Resolves once connected (or rejects after `timeoutMs`). */
  async ready(timeoutMs = 2000): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = this.options.clock.setTimer(timeoutMs, () =>
        reject(new Error(`redis not ready after ${timeoutMs} ms`)),
      );
      this.client.once('ready', () => {
        timer.cancel();
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  private args(mode: 'take' | 'give', request: BucketTake): string[] {
    const p = request.parameters;
    return [
      mode,
      String(request.tokens),
      String(p.capacity),
      String(p.fillAmount),
      String(p.intervalMs),
      p.continuousFill ? '1' : '0',
      String(Math.round(this.options.idleTtlMs ?? 7_200_000)),
      this.options.scriptNowMs === undefined ? '' : String(this.options.scriptNowMs()),
    ];
  }

  private command(): BucketCommand {
    return (this.client as unknown as { sluiceBucket: BucketCommand }).sluiceBucket.bind(this.client);
  }

  private fallbackTake(request: BucketTake, outcome: string): BucketTakeResult {
    this.options.metrics?.redisCalls.inc({ outcome });
    return { ...this.options.fallback.takeNow(request), source: 'fallback' };
  }

  async take(request: BucketTake): Promise<BucketTakeResult> {
    const now = this.options.clock.now();
    const cached = this.negative.get(request.key);
    if (cached !== undefined) {
      if (now < cached.untilMs && request.tokens >= cached.tokens) {
        this.options.metrics?.redisCalls.inc({ outcome: 'negative-cache' });
        return { allowed: false, remaining: cached.remaining, waitMs: cached.untilMs - now, source: 'redis' };
      }
      if (now >= cached.untilMs) this.negative.delete(request.key);
    }
    if (!this.circuit.allowRequest()) return this.fallbackTake(request, 'circuit-open');
    let reply: [number, string, string];
    try {
      reply = await this.command()(this.redisKey(request.key), ...this.args('take', request));
    } catch (error) {
      this.circuit.recordFailure();
      return this.fallbackTake(request, /timed out/i.test((error as Error).message) ? 'timeout' : 'error');
    }
    this.circuit.recordSuccess();
    this.options.metrics?.redisCalls.inc({ outcome: 'ok' });
    const allowed = reply[0] === 1;
    const remaining = Number(reply[1]);
    const wait = Number(reply[2]);
    const waitMs = allowed ? 0 : wait < 0 ? Infinity : wait;
    if (!allowed && Number.isFinite(waitMs)) {
      this.negative.set(request.key, {
        untilMs: this.options.clock.now() + waitMs,
        tokens: request.tokens,
        remaining,
      });
      if (this.negative.size > 100_000) this.negative.clear();
    }
    return { allowed, remaining, waitMs, source: 'redis' };
  }

  async giveBack(request: BucketTake & { readonly source?: DecisionSource }): Promise<void> {
    this.negative.delete(request.key);
    if (request.source === 'fallback' || request.source === 'local') {
      this.options.fallback.giveBackNow(request);
      return;
    }
    if (!this.circuit.allowRequest()) return;
    try {
      await this.command()(this.redisKey(request.key), ...this.args('give', request));
      this.circuit.recordSuccess();
    } catch {
      // Losing a give-back only makes the limit slightly stricter for one refill period.
      this.circuit.recordFailure();
    }
  }
}
