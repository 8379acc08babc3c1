/**
 * The ext_authz CheckRequest h2load sends, encoded once with the same Envoy protos the agent loads
 * (`@sluice/spec`'s protobufjs root), and framed for gRPC: h2load replays the bytes, so the load
 * generator spends no CPU on protobuf and every server decodes exactly the same message.
 */
import { loadProtobufRoot } from '@sluice/spec/protos';

export const CHECK_PATH = '/envoy.service.auth.v3.Authorization/Check';
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** HTTP/2 headers of a gRPC unary call besides the method and path h2load sets itself. */
export const GRPC_REQUEST_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/grpc',
  te: 'trailers',
});

/** What varies between benchmark flows: the labels the policy's classifier and workloads look at. */
export interface BenchFlow {
  /** `user-type` header, matched by the workloads (`guest` or `subscriber`). */
  readonly userType: string;
  /** `user-id` header, the rate limiter's `limitByLabelKey`. */
  readonly userId: string;
}

/**
 * A CheckRequest as Envoy's ext_authz filter builds it for a plain HTTP/1.1 GET through a sidecar:
 * peer addresses, request time, the pseudo-headers and the headers the connection manager adds. Its
 * size (about 600 bytes) matters more than its exact contents: the agent decodes all of it.
 */
export function checkRequestObject(flow: BenchFlow, nowMs: number): Record<string, unknown> {
  const path = '/api/orders?page=2';
  const host = 'orders.shop.svc.cluster.local:8080';
  return {
    attributes: {
      source: { address: { socket_address: { address: '10.244.1.17', port_value: 51234 } } },
      destination: { address: { socket_address: { address: '10.244.2.9', port_value: 8080 } } },
      request: {
        time: { seconds: Math.floor(nowMs / 1000), nanos: (nowMs % 1000) * 1e6 },
        http: {
          id: '7185734529305392518',
          method: 'GET',
          headers: {
            ':authority': host,
            ':method': 'GET',
            ':path': path,
            ':scheme': 'http',
            accept: 'application/json',
            'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0',
            'x-forwarded-proto': 'http',
            'x-request-id': '3f0c2a8e-9b1d-4f6a-8c2e-5d7b9a1e4c3f',
            traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
            'user-type': flow.userType,
            'user-id': flow.userId,
          },
          path,
          host,
          scheme: 'http',
          protocol: 'HTTP/1.1',
          size: 0,
        },
      },
    },
  };
}

/** The 5-byte gRPC message prefix (uncompressed flag, big-endian length) followed by `message`. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  Buffer.from(message.buffer, message.byteOffset, message.length).copy(frame, 5);
  return frame;
}

/**
 * Encodes `object` as the protobuf message `typeName` and frames it for gRPC.
 *
 * @throws Error when the object does not fit the message (protobufjs `verify`), so a typo in a field
 *   name fails here instead of being silently dropped from every benchmark request.
 */
export function encodeGrpcMessage(typeName: string, object: Record<string, unknown>): Buffer {
  const type = loadProtobufRoot().lookupType(typeName);
  const problem = type.verify(object);
  if (problem !== null) throw new Error(`${typeName}: ${problem}`);
  return grpcFrame(type.encode(type.fromObject(object)).finish());
}

/** A framed CheckRequest for `flow`, ready for `h2load -d`. */
export function checkRequestFrame(flow: BenchFlow, nowMs: number): Buffer {
  return encodeGrpcMessage('envoy.service.auth.v3.CheckRequest', checkRequestObject(flow, nowMs));
}

/**
 * Decodes a gRPC-framed response body as `typeName` (for the preflight that proves each server
 * answers the replayed bytes as intended).
 *
 * @throws Error for a missing or compressed frame.
 */
export function decodeGrpcMessage(typeName: string, body: Buffer): Record<string, unknown> {
  if (body.length < 5) throw new Error(`no gRPC frame in a ${body.length}-byte body`);
  if (body.readUInt8(0) !== 0) throw new Error('compressed gRPC frame');
  const length = body.readUInt32BE(1);
  const type = loadProtobufRoot().lookupType(typeName);
  return type.toObject(type.decode(body.subarray(5, 5 + length)), { longs: Number, enums: String }) as Record<
    string,
    unknown
  >;
}
