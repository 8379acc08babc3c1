/**
 * A minimal gRPC unary client on node:http2 whose TCP connection leaves from a chosen local address
 * (a second loopback address such as 127.0.0.2 is another peer to the agent, as another pod's IP
 * is). grpc-js cannot set the source address; the wire format is small: an HTTP/2 POST of
 * `application/grpc` with the message in a 5-byte length-prefixed frame, the status in trailers.
 * @see https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md
 */
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { connect as connectTcp } from 'node:net';

export interface GrpcAnswer {
  /** grpc-status (0 = OK). */
  readonly status: number;
  readonly message: string;
  /** The response message's bytes (the first frame), empty when there was none. */
  readonly body: Buffer;
}

export class GrpcFromAddress {
  readonly #session: ClientHttp2Session;

  constructor(target: { readonly host: string; readonly port: number }, localAddress: string) {
    this.#session = connect(`http://${target.host}:${target.port}`, {
      createConnection: () => connectTcp({ host: target.host, port: target.port, localAddress }),
    });
    // Errors surface on the calls; an idle session must not crash the test process.
    this.#session.on('error', () => undefined);
  }

  /** One unary call of `path` with the serialised `message`. */
  unary(
    path: string,
    message: Buffer,
    metadata: Readonly<Record<string, string>> = {},
    timeoutMs = 5_000,
  ): Promise<GrpcAnswer> {
    return new Promise((resolve, reject) => {
      const frame = Buffer.alloc(5 + message.length);
      frame.writeUInt32BE(message.length, 1);
      message.copy(frame, 5);
      const stream = this.#session.request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: path,
        [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
        te: 'trailers',
        ...metadata,
      });
      stream.setTimeout(timeoutMs, () => stream.close(constants.NGHTTP2_CANCEL));
      const chunks: Buffer[] = [];
      let status: number | undefined;
      let statusMessage = '';
      const readStatus = (headers: Record<string, unknown>) => {
        if (headers['grpc-status'] !== undefined) {
          status = Number(headers['grpc-status']);
          statusMessage = decodeURIComponent(String(headers['grpc-message'] ?? ''));
        }
      };
      stream.on('response', readStatus);
      stream.on('trailers', readStatus);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('close', () => {
        if (status === undefined) {
          reject(new Error(`${path}: the stream closed without a grpc-status`));
          return;
        }
        const bytes = Buffer.concat(chunks);
        const length = bytes.length >= 5 ? bytes.readUInt32BE(1) : 0;
        resolve({ status, message: statusMessage, body: bytes.subarray(5, 5 + length) });
      });
      stream.end(frame);
    });
  }

  close(): void {
    this.#session.close();
  }
}
