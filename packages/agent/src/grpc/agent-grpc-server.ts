import type { Metadata } from '@grpc/grpc-js';
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { CONTROL_POINT_RULE, isValidControlPoint } from '@sluice/spec';
import { authorizationService, logsService } from '@sluice/spec/protos';
import type { AccessLogReceiver, ExportLogsRequestMessage } from '../access-log/access-log-receiver.js';
import type { CheckHandler } from '../check/check-handler.js';
import { encodeCheckResponse } from '../check/check-response-encoder.js';
import type { CheckResponseMessage } from '../check/check-response.js';
import { resolveControlPoint, type ParsedCheck } from '../check/check-request.js';
import { decodeCheckRequest } from '../check/check-request-decoder.js';
import type { Clock } from '@sluice/clock';
import type { AgentLogger } from '../logging/agent-logger.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';
import { peerIpOf } from './peer-ip.js';

export interface AgentGrpcServerOptions {
  readonly clock: Clock;
  readonly checks: CheckHandler;
  readonly accessLogs: AccessLogReceiver;
  readonly metrics: AgentMetrics;
  readonly logger: AgentLogger;
  readonly defaultControlPoint: string | undefined;
  /** Largest message accepted (see grpcReceiveLimitBytes). @default 16 MiB */
  readonly maxReceiveMessageBytes?: number;
  /** HTTP/2 streams one connection may hold at once (SETTINGS_MAX_CONCURRENT_STREAMS). @default unlimited */
  readonly maxConcurrentStreams?: number;
}

/** The gRPC deadline as an absolute time on `clock`, or undefined when the caller set none. */
function deadlineOn(clock: Clock, call: ServerUnaryCall<unknown, unknown>): number | undefined {
  const deadline = call.getDeadline();
  const epochMs = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(epochMs)) return undefined;
  return clock.now() + (epochMs - clock.wallNow());
}

/** A request whose bytes protobuf could not decode (truncated, wrong wire types, nested too deep). */
class UndecodableRequest {
  constructor(readonly reason: string) {}
}

/** `decode` with its failure returned, never thrown. */
function tolerantly(decode: (bytes: Buffer) => unknown): (bytes: Buffer) => unknown {
  return (bytes) => {
    try {
      return decode(bytes);
    } catch (error) {
      return new UndecodableRequest(error instanceof Error ? error.message : String(error));
    }
  };
}

/**
 * The service with deserialisers that never throw. grpc-js answers a request it cannot decode with
 * INTERNAL and never calls the handler, so the failure would be uncounted, and INTERNAL tells an
 * OTLP exporter nothing; the handlers answer INVALID_ARGUMENT (do not retry) and count it instead.
 */
function tolerant(definition: ServiceDefinition): ServiceDefinition {
  const methods: Record<string, ServiceDefinition[string]> = {};
  for (const [name, method] of Object.entries(definition)) {
    methods[name] = {
      ...method,
      requestDeserialize: tolerantly((bytes) => method.requestDeserialize(bytes)),
    };
  }
  return methods;
}

/**
 * Check requests read by decodeCheckRequest, straight from the wire to what the handler needs,
 * instead of protobufjs' decode and object conversion of the whole message.
 */
function withCheckRequestDecoder(definition: ServiceDefinition): ServiceDefinition {
  const check = definition.Check;
  if (check === undefined) return definition;
  return { ...definition, Check: { ...check, requestDeserialize: tolerantly(decodeCheckRequest) } };
}

/**
 * Check answers serialised by encodeCheckResponse: the bytes of proto-loader's serialiser with a
 * fraction of the work (the answer carries the decision record, so it is written on every Check).
 */
function withCheckResponseEncoder(definition: ServiceDefinition): ServiceDefinition {
  const check = definition.Check;
  if (check === undefined) return definition;
  return {
    ...definition,
    Check: { ...check, responseSerialize: (response: CheckResponseMessage) => encodeCheckResponse(response) },
  };
}

/** The refusal of a control point: what was given (cut to 64 characters, JSON-quoted) and what is allowed. */
export function invalidControlPointMessage(controlPoint: string): string {
  const shown =
    controlPoint.length > 64 ? `${JSON.stringify(controlPoint.slice(0, 64))}…` : JSON.stringify(controlPoint);
  return `invalid control-point ${shown} (${controlPoint.length} characters): must be ${CONTROL_POINT_RULE}`;
}

function metadataString(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : value?.toString('utf8');
}

/**
 * One gRPC server for both Envoy-facing services: ext_authz Check and OTLP logs Export. Shutdown
 * stops accepting, sends GOAWAY to every connection and lets in-flight calls finish.
 */
export class AgentGrpcServer {
  private readonly server: Server;
  private boundPort: number | undefined;

  constructor(private readonly options: AgentGrpcServerOptions) {
    this.server = new Server({
      'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 16 * 1024 * 1024,
      ...(options.maxConcurrentStreams !== undefined
        ? { 'grpc.max_concurrent_streams': options.maxConcurrentStreams }
        : {}),
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 10_000,
    });
    const authorization: UntypedServiceImplementation = { Check: this.check.bind(this) };
    const logs: UntypedServiceImplementation = { Export: this.export.bind(this) };
    this.server.addService(
      withCheckResponseEncoder(withCheckRequestDecoder(authorizationService().service)),
      authorization,
    );
    this.server.addService(tolerant(logsService().service), logs);
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  async listen(host: string, port: number): Promise<number> {
    this.boundPort = await new Promise<number>((resolve, reject) => {
      // An IPv6 address (bindAddress `::`) is bracketed in a gRPC target.
      this.server.bindAsync(
        `${host.includes(':') ? `[${host}]` : host}:${port}`,
        ServerCredentials.createInsecure(),
        (error, bound) => (error ? reject(error) : resolve(bound)),
      );
    });
    return this.boundPort;
  }

  /** Graceful drain: GOAWAY, finish in-flight calls; force-closes after `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const force = this.options.clock.setTimer(graceMs, () => {
        this.server.forceShutdown();
        resolve();
      });
      this.server.tryShutdown(() => {
        force.cancel();
        resolve();
      });
    });
  }

  private check(
    call: ServerUnaryCall<ParsedCheck | UndecodableRequest, CheckResponseMessage>,
    callback: sendUnaryData<CheckResponseMessage>,
  ): void {
    const { metrics, logger } = this.options;
    const parsed = call.request;
    if (parsed instanceof UndecodableRequest) {
      metrics.checkErrors.inc({ reason: 'undecodable' });
      callback({ code: status.INVALID_ARGUMENT, details: `undecodable CheckRequest: ${parsed.reason}` });
      return;
    }
    const controlPoint = resolveControlPoint(
      metadataString(call.metadata, 'control-point'),
      parsed,
      this.options.defaultControlPoint,
    );
    if (controlPoint === undefined) {
      metrics.checkErrors.inc({ reason: 'missing-control-point' });
      callback({
        code: status.INVALID_ARGUMENT,
        details:
          'missing control-point: set gRPC metadata control-point, the context extension control-point, or the agent flag --default-control-point',
      });
      return;
    }
    if (!isValidControlPoint(controlPoint)) {
      // Refused before it becomes a label, a key or a report entry; the value is never a label.
      metrics.checkErrors.inc({ reason: 'invalid-control-point' });
      callback({ code: status.INVALID_ARGUMENT, details: invalidControlPointMessage(controlPoint) });
      return;
    }
    const peerIp = peerIpOf(call.getPeer());
    this.options.checks.handle(parsed, controlPoint, deadlineOn(this.options.clock, call), peerIp).then(
      (response) => callback(null, response),
      (error: unknown) => {
        // Fail open: Envoy allows the request on error (failure_mode_allow), and we count it.
        metrics.checkErrors.inc({ reason: 'internal' });
        logger.log('error', 'check failed', { error: (error as Error).message });
        callback({ code: status.INTERNAL, details: `check failed: ${(error as Error).message}` });
      },
    );
  }

  private export(
    call: ServerUnaryCall<ExportLogsRequestMessage, object>,
    callback: sendUnaryData<object>,
  ): void {
    const request: unknown = call.request;
    if (request instanceof UndecodableRequest) {
      this.options.metrics.accessLogExportsRejected.inc({ reason: 'undecodable' });
      callback({
        code: status.INVALID_ARGUMENT,
        details: `undecodable ExportLogsServiceRequest: ${request.reason}`,
      });
      return;
    }
    try {
      // Records are read only from the peer that made their Check: its IP is in their MAC.
      const tally = this.options.accessLogs.receive(call.request, peerIpOf(call.getPeer()));
      // OTLP partial success tells the sender how many records were rejected, so it does not retry them.
      const reasons = [
        ...(tally.malformed > 0 ? ['malformed access-log records dropped'] : []),
        ...(tally.refused > 0 ? ['access-log records whose decision record did not verify refused'] : []),
        ...(tally.dropped > 0 ? ['access-log records over the agent budget dropped'] : []),
      ];
      callback(
        null,
        reasons.length > 0
          ? {
              partial_success: {
                rejected_log_records: tally.malformed + tally.refused + tally.dropped,
                error_message: reasons.join('; '),
              },
            }
          : {},
      );
    } catch (error) {
      this.options.metrics.accessLogExportsRejected.inc({ reason: 'unreadable' });
      callback({
        code: status.INVALID_ARGUMENT,
        details: `unreadable ExportLogsServiceRequest: ${(error as Error).message}`,
      });
    }
  }
}
