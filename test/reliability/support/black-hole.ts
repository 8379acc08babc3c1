/**
 * A TCP black hole: accepts connections and never answers or forwards a byte, as an agent whose
 * node is partitioned behind a stateful firewall, or whose process hangs with its socket open.
 * A gRPC client's connection stays CONNECTING (no HTTP/2 SETTINGS ever arrive), so each call
 * waits out its whole deadline.
 */
import { createServer, type Socket } from 'node:net';

export class BlackHole {
  readonly #sockets = new Set<Socket>();
  readonly #server = createServer((socket) => {
    this.#accepted += 1;
    this.#sockets.add(socket);
    // Read and discard, so the sender never blocks on a full window; answer nothing.
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.once('close', () => this.#sockets.delete(socket));
  });
  #accepted = 0;
  #port = 0;

  static async start(): Promise<BlackHole> {
    const hole = new BlackHole();
    await new Promise<void>((resolve, reject) => {
      hole.#server.once('error', reject);
      hole.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = hole.#server.address();
    if (address === null || typeof address === 'string') throw new Error('black hole: no port');
    hole.#port = address.port;
    return hole;
  }

  get target(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Connections accepted so far. */
  get accepted(): number {
    return this.#accepted;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
