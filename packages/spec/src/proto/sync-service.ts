/**
 * Typed gRPC surface of `sluice.sync.v1.AgentSync`: the controller implements
 * {@link AgentSyncHandlers}, the agent dials with {@link agentSyncClientConstructor}.
 * Messages are the shapes in `sync-messages.ts`.
 */
import type {
  CallOptions,
  ChannelCredentials,
  ChannelOptions,
  Client,
  ClientDuplexStream,
  Metadata,
  ServiceDefinition,
  handleBidiStreamingCall,
} from '@grpc/grpc-js';
import { agentSyncService } from './proto-loader.js';
import type { AgentMessage, ControllerMessage } from './sync-messages.js';

/** Full method path of the one rpc, as seen in gRPC metadata and logs. */
export const AGENT_SYNC_CONNECT_PATH = '/sluice.sync.v1.AgentSync/Connect';

/**
 * Server-side implementation of AgentSync, for
 * `server.addService(agentSyncService().service, handlers)`. The call is a
 * duplex stream: read AgentMessage, write ControllerMessage.
 *
 * A type alias, not an interface, so it stays assignable to grpc-js'
 * `UntypedServiceImplementation` (which has an index signature).
 */
export type AgentSyncHandlers = {
  Connect: handleBidiStreamingCall<AgentMessage, ControllerMessage>;
};

/** Client for AgentSync: `Connect()` opens the stream (write AgentMessage, read ControllerMessage). */
export interface AgentSyncClient extends Client {
  Connect(
    metadata?: Metadata,
    options?: Partial<CallOptions>,
  ): ClientDuplexStream<AgentMessage, ControllerMessage>;
  Connect(options?: Partial<CallOptions>): ClientDuplexStream<AgentMessage, ControllerMessage>;
}

/** Constructor of {@link AgentSyncClient}; `service` is the typed ServiceDefinition. */
export interface AgentSyncClientConstructor {
  new (address: string, credentials: ChannelCredentials, options?: Partial<ChannelOptions>): AgentSyncClient;
  service: ServiceDefinition<AgentSyncHandlers>;
  serviceName: string;
}

/**
 * The AgentSync client constructor from the shared loader, typed.
 * `new (agentSyncClientConstructor())('sluice-controller.sluice-system.svc:8090', creds)`.
 */
export function agentSyncClientConstructor(): AgentSyncClientConstructor {
  // proto-loader builds the constructor from sync.proto at run time; the test
  // suite checks that its method and path match the declaration above.
  return agentSyncService() as unknown as AgentSyncClientConstructor;
}
