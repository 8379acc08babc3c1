/**
 * One request with exactly the bytes and headers h2load will replay, over Node's HTTP/2 client, to
 * prove the server answers them as intended before thousands are sent: h2load counts every HTTP 200
 * as a success, and a gRPC error (a missing control point, an undecodable body) is an HTTP 200 too.
 */
import { connect } from 'node:http2';

export interface GrpcAnswer {
  readonly grpcStatus: number;
  readonly grpcMessage: string;
  readonly body: Buffer;
}

/** @throws Error when the call fails at the HTTP/2 level or takes over 5 s. */
export function grpcPreflight(options: {
  readonly origin: string;
  readonly path: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}): Promise<GrpcAnswer> {
  return new Promise((resolve, reject) => {
    const session = connect(options.origin);
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`preflight ${options.path} on ${options.origin}: no answer within 5 s`));
    }, 5_000);
    session.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const stream = session.request({ ':method': 'POST', ':path': options.path, ...options.headers });
    const chunks: Buffer[] = [];
    let trailers: Record<string, unknown> = {};
    let headers: Record<string, unknown> = {};
    stream.on('response', (received) => (headers = received));
    stream.on('trailers', (received) => (trailers = received));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', (error) => {
      clearTimeout(timer);
      session.close();
      reject(error);
    });
    stream.on('end', () => {
      clearTimeout(timer);
      session.close();
      // A trailers-only answer (an error) carries grpc-status in the headers.
      const statusText = trailers['grpc-status'] ?? headers['grpc-status'];
      const message = trailers['grpc-message'] ?? headers['grpc-message'];
      resolve({
        grpcStatus: Number(statusText ?? Number.NaN),
        grpcMessage: typeof message === 'string' ? decodeURIComponent(message) : '',
        body: Buffer.concat(chunks),
      });
    });
    stream.end(options.body);
  });
}
