/**
 * Raw gRPC clients of the agent's two Envoy-facing services, each on a connection of its own (as
 * Envoy's ext_authz and access-log filters have): ext_authz `Check` and OTLP `LogsService/Export`.
 * Messages are encoded once up front and sent as bytes, so a flood costs the test process only the
 * HTTP/2 framing, and the Check latency it measures is not the test's own protobuf work.
 */
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { authorizationService, logsService } from '@sluice/spec/protos';

const CHECK_PATH = '/envoy.service.auth.v3.Authorization/Check';
const EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const passBytes = (bytes: Buffer): Buffer => bytes;

/** A CheckRequest as Envoy's ext_authz filter builds it (the fields the agent reads), encoded. */
export function encodeCheckRequest(http: {
  readonly path: string;
  readonly headers: Record<string, string>;
}): Buffer {
  return authorizationService().service['Check']?.requestSerialize({
    attributes: {
      request: {
        http: {
          id: '1',
          method: 'GET',
          path: http.path,
          host: '127.0.0.1',
          scheme: 'http',
          protocol: 'HTTP/1.1',
          headers: { ':method': 'GET', ':path': http.path, ':authority': '127.0.0.1', ...http.headers },
        },
      },
    },
  }) as Buffer;
}

/** An ExportLogsServiceRequest (the OTLP shape the proxy sends), encoded. */
export function encodeExportRequest(request: object): Buffer {
  return logsService().service['Export']?.requestSerialize(request) as Buffer;
}

interface CheckAnswer {
  /** Envoy status in the CheckResponse (0 = allowed). */
  readonly status: number;
  /** The `aperture.check_response` dynamic metadata value (the decision record), if any. */
  readonly decisionRecord: string | undefined;
}

interface CheckResponseShape {
  status?: { code?: number };
  dynamic_metadata?: { fields?: Record<string, { stringValue?: string }> };
}

export class AgentGrpcClient {
  readonly #client: Client;
  readonly #controlPoint: string | undefined;

  /** `controlPoint`: sent as metadata on every Check; undefined sends none (the message may carry one). */
  constructor(target: string, controlPoint: string | undefined) {
    // A subchannel pool of its own: grpc-js would otherwise share one connection between clients.
    this.#client = new Client(target, credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
    this.#controlPoint = controlPoint;
  }

  /**
   * One Check with `deadlineMs`; rejects with the ServiceError when the call fails. `controlPoint`
   * overrides the client's metadata control point for this call.
   */
  check(request: Buffer, deadlineMs: number, controlPoint = this.#controlPoint): Promise<CheckAnswer> {
    const metadata = new Metadata();
    if (controlPoint !== undefined) metadata.set('control-point', controlPoint);
    const decode = authorizationService().service['Check']?.responseDeserialize;
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(
        CHECK_PATH,
        passBytes,
        passBytes,
        request,
        metadata,
        { deadline: Date.now() + deadlineMs },
        (error: ServiceError | null, bytes?: Buffer) => {
          if (error) {
            reject(error);
            return;
          }
          const response = (decode?.(bytes ?? Buffer.alloc(0)) ?? {}) as CheckResponseShape;
          resolve({
            status: response.status?.code ?? 0,
            decisionRecord: response.dynamic_metadata?.fields?.['aperture.check_response']?.stringValue,
          });
        },
      );
    });
  }

  /** One Export with `deadlineMs`; resolves true when the agent accepted the call. */
  export(request: Buffer, deadlineMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.#client.makeUnaryRequest(
        EXPORT_PATH,
        passBytes,
        passBytes,
        request,
        new Metadata(),
        { deadline: Date.now() + deadlineMs },
        (error: ServiceError | null) => resolve(error === null),
      );
    });
  }

  close(): void {
    this.#client.close();
  }
}
