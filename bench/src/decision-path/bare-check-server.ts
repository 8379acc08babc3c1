/**
 * The baseline: a grpc-js ext_authz server that answers every Check OK with no logic at all, built
 * with the same grpc-js, the same proto loader and the same server options as the agent. Whatever the
 * agent costs beyond it is the cost of deciding.
 */
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { authorizationService } from '@sluice/spec/protos';

/** The agent's gRPC server options (packages/agent/src/grpc/agent-grpc-server.ts), for a fair baseline. */
const AGENT_SERVER_OPTIONS = {
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 10_000,
} as const;

const OK_RESPONSE = Object.freeze({ status: { code: 0 }, ok_response: {} });

export interface BareCheckServer {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startBareCheckServer(options: {
  readonly host: string;
  readonly port: number;
}): Promise<BareCheckServer> {
  const server = new Server(AGENT_SERVER_OPTIONS);
  server.addService(authorizationService().service, {
    Check: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      callback(null, OK_RESPONSE),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    port,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
