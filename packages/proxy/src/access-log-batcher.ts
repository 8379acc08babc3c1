/**
 * Batches access-log records the way Envoy's gRPC access loggers do: a batch is flushed when its
 * approximate size reaches `bufferSizeBytes` (default 16 KiB) or `flushIntervalMs` (default 1 s)
 * after its first record, whichever comes first. Logic only: time comes from the injected clock and
 * sending is the `flush` callback's business.
 */
import type { Clock, TimerHandle } from '@sluice/clock';

export interface AccessLogBatcherOptions<T> {
  readonly flushIntervalMs: number;
  readonly bufferSizeBytes: number;
  readonly clock: Clock;
  /** Receives each non-empty batch; must not throw. */
  readonly flush: (records: T[]) => void;
}

export class AccessLogBatcher<T> {
  readonly #options: AccessLogBatcherOptions<T>;
  #records: T[] = [];
  #bytes = 0;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: AccessLogBatcherOptions<T>) {
    this.#options = options;
  }

  /** Records waiting for the next flush. */
  get pending(): number {
    return this.#records.length;
  }

  /** Adds a record of `sizeBytes` (approximate encoded size). Ignored after {@link close}. */
  add(record: T, sizeBytes: number): void {
    if (this.#closed) return;
    this.#records.push(record);
    this.#bytes += sizeBytes;
    if (this.#bytes >= this.#options.bufferSizeBytes) {
      this.flush();
      return;
    }
    this.#timer ??= this.#options.clock.setTimer(this.#options.flushIntervalMs, () => {
      this.#timer = undefined;
      this.flush();
    });
  }

  /** Hands over whatever is buffered now. */
  flush(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#records.length === 0) return;
    const batch = this.#records;
    this.#records = [];
    this.#bytes = 0;
    this.#options.flush(batch);
  }

  /** Flushes what is left and stops accepting records. */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
