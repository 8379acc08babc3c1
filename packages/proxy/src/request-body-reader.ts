/**
 * Reads a downstream request body in the two phases the ext_authz filter needs: hold up to
 * `max_request_bytes` for the Check, then either stream everything upstream or throw it away.
 * Counts bytes and notes when the last one arrived, for `%BYTES_RECEIVED%` and `%REQUEST_DURATION%`.
 */
import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';

export interface BufferedBody {
  /** Everything read so far (at least `maxBytes`, unless the body ended first). */
  readonly bytes: Buffer;
  /** The whole body has been read. */
  readonly ended: boolean;
}

export class RequestBodyReader {
  readonly #request: IncomingMessage;
  readonly #now: () => number;
  #received = 0;
  #ended = false;
  #endedAt: number | undefined;
  #held: Buffer[] = [];

  constructor(request: IncomingMessage, now: () => number) {
    this.#request = request;
    this.#now = now;
    request.once('end', () => {
      this.#ended = true;
      this.#endedAt = this.#now();
    });
  }

  /** Body bytes read from the client so far. */
  get received(): number {
    return this.#received;
  }

  /** Monotonic time the last body byte arrived; undefined until then. */
  get endedAt(): number | undefined {
    return this.#endedAt;
  }

  /** Reads until the body ends or `maxBytes` are held, then pauses the client. */
  holdUpTo(maxBytes: number): Promise<BufferedBody> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.#request.off('data', onData);
        this.#request.off('end', done);
        this.#request.off('error', onError);
        this.#request.pause();
        resolve({ bytes: Buffer.concat(this.#held), ended: this.#ended });
      };
      const onData = (chunk: Buffer) => {
        this.#received += chunk.length;
        this.#held.push(chunk);
        if (this.#received >= maxBytes) done();
      };
      const onError = (error: Error) => reject(error);
      if (this.#request.readableEnded) {
        this.#ended = true;
        done();
        return;
      }
      this.#request.on('data', onData);
      this.#request.once('end', done);
      this.#request.once('error', onError);
    });
  }

  /** Calls `callback` once the whole body has been read (at once when it already has). */
  afterEnd(callback: () => void): void {
    if (this.#ended) callback();
    else this.#request.once('end', callback);
  }

  /** Writes what is held, then the rest of the body, into `target`, and ends it. */
  pumpTo(target: Writable): void {
    for (const chunk of this.#held) target.write(chunk);
    this.#held = [];
    if (this.#ended) {
      target.end();
      return;
    }
    this.#request.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      // Back-pressure: a slow upstream slows the client instead of filling memory.
      if (!target.write(chunk)) {
        this.#request.pause();
        target.once('drain', () => this.#request.resume());
      }
    });
    this.#request.once('end', () => target.end());
    this.#request.resume();
  }

  /** Reads and drops the rest of the body, so a keep-alive connection stays usable. */
  discard(): void {
    this.#held = [];
    if (this.#ended) return;
    this.#request.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
    });
    this.#request.resume();
  }
}
