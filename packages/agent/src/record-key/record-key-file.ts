import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Clock, TimerHandle } from '@sluice/clock';
import type { AgentLogger } from '../logging/agent-logger.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';
import { systemRandomFill, type RandomFill } from './random-byte-pool.js';
import { MAX_RECORD_KEY_BYTES, RecordKeyRing } from './record-key-ring.js';

/** How often the key file is read again (kubelet updates a mounted Secret within about a minute). */
export const RECORD_KEY_POLL_MS = 5_000;
/** Size of an ephemeral key. */
const EPHEMERAL_KEY_BYTES = 32;

export interface RecordKeyFileOptions {
  /** The key file (`recordKeyFile`); undefined: an ephemeral key, never re-read. */
  readonly path: string | undefined;
  readonly clock: Clock;
  readonly logger: AgentLogger;
  readonly metrics: AgentMetrics;
  /** For the ephemeral key. @default crypto.randomFillSync */
  readonly randomFill?: RandomFill;
  /** @default RECORD_KEY_POLL_MS */
  readonly pollIntervalMs?: number;
}

/** What one read of the key file found. */
export type KeyFileRead =
  | { readonly kind: 'key'; readonly bytes: Buffer }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** The outcome of one reload, as counted in `sluice_agent_record_key_reloads_total`. */
export type KeyReload = 'rotated' | 'unchanged' | 'missing' | 'unreadable' | 'invalid';

function failure(error: unknown): KeyFileRead {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { kind: 'missing' };
  return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
}

/** Reads at most one byte past the largest key, so a huge file is refused without being read whole. */
function readKeyFileSync(path: string): KeyFileRead {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(MAX_RECORD_KEY_BYTES + 1);
    const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
    return { kind: 'key', bytes: buffer.subarray(0, bytesRead) };
  } catch (error) {
    return failure(error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The same, without blocking the event loop (the periodic re-read). */
async function readKeyFile(path: string): Promise<KeyFileRead> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(MAX_RECORD_KEY_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { kind: 'key', bytes: buffer.subarray(0, bytesRead) };
  } catch (error) {
    return failure(error);
  } finally {
    await handle?.close();
  }
}

/**
 * The agent's record keys, from `recordKeyFile`: read once at start (synchronously, before the
 * first Check), then every 5 s; a changed key becomes current and the one before stays valid
 * (rotation). The file's bytes are the key as they are (a Kubernetes Secret mounted as a file).
 *
 * Without a file, or while it is missing or unusable, the agent signs with an ephemeral random key:
 * its own records verify, but another agent on the node (two serve a node during a rollout) cannot
 * read them. That is warned in the log and exported as `sluice_agent_record_key_ephemeral` 1. A
 * key problem never stops the agent (the data path fails open); it is logged and counted.
 */
export class RecordKeyFile {
  readonly ring: RecordKeyRing;
  private ephemeral: boolean;
  private timer: TimerHandle | undefined;
  private polling = false;
  private stopped = false;
  /** The last failed read, so a repeated failure is logged at debug, not every 5 s at warn. */
  private lastProblem: string | undefined;

  constructor(private readonly options: RecordKeyFileOptions) {
    const initial = options.path === undefined ? undefined : readKeyFileSync(options.path);
    let ring: RecordKeyRing | undefined;
    if (initial?.kind === 'key') {
      try {
        ring = new RecordKeyRing(initial.bytes);
      } catch (error) {
        this.count('invalid', (error as Error).message);
      }
    } else if (initial !== undefined) {
      this.count(initial.kind, initial.kind === 'unreadable' ? initial.reason : 'no such file');
    }
    this.ephemeral = ring === undefined;
    if (ring === undefined) {
      const bytes = Buffer.alloc(EPHEMERAL_KEY_BYTES);
      (options.randomFill ?? systemRandomFill)(bytes);
      ring = new RecordKeyRing(bytes);
      options.logger.log(
        'warn',
        'decision records are signed with an ephemeral key: other agents on this node cannot verify them; set recordKeyFile to a Secret every agent mounts',
        { recordKeyFile: options.path ?? null },
      );
    }
    this.ring = ring;
    options.metrics.recordKeyEphemeral.set(this.ephemeral ? 1 : 0);
  }

  /** True while records are signed with a key no other agent holds. */
  get isEphemeral(): boolean {
    return this.ephemeral;
  }

  /** Starts re-reading the file every poll interval (nothing to do without a file). */
  start(): void {
    if (this.options.path === undefined || this.timer !== undefined || this.stopped) return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Reads the file once and rotates to its key when it changed. */
  async reload(): Promise<KeyReload> {
    const path = this.options.path;
    if (path === undefined) return 'unchanged';
    const read = await readKeyFile(path);
    if (read.kind !== 'key') {
      // The key in use stays; a Secret being replaced can be briefly absent.
      this.count(read.kind, read.kind === 'unreadable' ? read.reason : 'no such file');
      return read.kind;
    }
    let rotated: boolean;
    try {
      rotated = this.ring.rotate(read.bytes);
    } catch (error) {
      this.count('invalid', (error as Error).message);
      return 'invalid';
    }
    this.lastProblem = undefined;
    if (!rotated) return 'unchanged';
    const wasEphemeral = this.ephemeral;
    this.ephemeral = false;
    this.options.metrics.recordKeyEphemeral.set(0);
    this.options.metrics.recordKeyReloads.inc({ outcome: 'rotated' });
    this.options.logger.log('info', 'record key rotated; the previous key is still accepted', {
      recordKeyFile: path,
      keyId: this.ring.current.id,
      previousKeyId: this.ring.previous?.id ?? null,
      replacedEphemeralKey: wasEphemeral,
    });
    return 'rotated';
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimer(this.options.pollIntervalMs ?? RECORD_KEY_POLL_MS, () => {
      if (this.polling || this.stopped) return;
      this.polling = true;
      void this.reload().finally(() => {
        this.polling = false;
        if (!this.stopped) this.schedule();
      });
    });
  }

  /** Counts a failed read; logs it at warn the first time in a row, at debug after. */
  private count(outcome: 'missing' | 'unreadable' | 'invalid', reason: string): void {
    this.options.metrics.recordKeyReloads.inc({ outcome });
    const problem = `${outcome}: ${reason}`;
    this.options.logger.log(
      problem === this.lastProblem ? 'debug' : 'warn',
      'record key file not used; the key in use stays',
      { recordKeyFile: this.options.path ?? null, outcome, reason },
    );
    this.lastProblem = problem;
  }
}
