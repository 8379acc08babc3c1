/**
 * The ext_authz gRPC client: `envoy.service.auth.v3.Authorization/Check` on the real Envoy protos,
 * with the configured deadline (sent as `grpc-timeout`, which the agent turns into its queue
 * timeout) and the `control-point` metadata, as the istioconfig EnvoyFilter sets them.
 */
import { Metadata, credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { authorizationService, loadGrpcPackage } from '@sluice/spec/protos';
import type { CheckRequest, CheckResponse } from './ext-authz-messages.js';
import { AGENT_CHANNEL_OPTIONS } from './grpc-channel-options.js';

/** The one metadata entry Envoy sends with each Check (aperture.md §1.2). */
export const CONTROL_POINT_METADATA_KEY = 'control-point';

type CheckMethod = (
  request: CheckRequest,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response?: CheckResponse) => void,
) => void;

export interface AuthzClientOptions {
  /** `host:port`. */
  readonly target: string;
  readonly timeoutMs: number;
  readonly controlPoint: string;
  /** @default {@link CONTROL_POINT_METADATA_KEY} */
  readonly controlPointMetadataKey?: string;
}

export class AuthzClient {
  readonly #client: Client & { Check: CheckMethod };
  readonly #options: AuthzClientOptions;

  constructor(options: AuthzClientOptions) {
    this.#options = options;
    const Constructor = authorizationService();
    this.#client = new Constructor(options.target, credentials.createInsecure(), {
      ...AGENT_CHANNEL_OPTIONS,
    }) as unknown as Client & { Check: CheckMethod };
    // Connect now, as Envoy's cluster does, so the first request does not pay for the handshake.
    this.#client.getChannel().getConnectivityState(true);
    // Read the StatusCode enum now: parsing Envoy's protos on the first denial would delay it.
    envoyStatusCodeOf('OK');
  }

  /**
   * Sends one Check.
   *
   * @throws (rejects with) the gRPC ServiceError when the call fails or the deadline passes.
   */
  check(request: CheckRequest): Promise<CheckResponse> {
    const metadata = new Metadata();
    metadata.set(
      this.#options.controlPointMetadataKey ?? CONTROL_POINT_METADATA_KEY,
      this.#options.controlPoint,
    );
    const deadline = new Date(Date.now() + this.#options.timeoutMs);
    return new Promise((resolve, reject) => {
      this.#client.Check(request, metadata, { deadline }, (error, response) => {
        if (error) reject(error);
        else resolve(response ?? {});
      });
    });
  }

  /** Resolves true once the channel to the agent is connected, false if `timeoutMs` passes first. */
  waitForReady(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.#client.waitForReady(new Date(Date.now() + timeoutMs), (error) =>
        resolve(error === undefined || error === null),
      );
    });
  }

  close(): void {
    this.#client.close();
  }
}

let statusCodes: ReadonlyMap<string, number> | undefined;

/** What proto-loader keeps of an enum: its descriptor's values. */
interface EnumDefinition {
  readonly type?: { readonly value?: readonly { readonly name?: string; readonly number?: number }[] };
}

/**
 * `envoy.type.v3.StatusCode` value name → number, read from Envoy's proto in the gRPC package
 * already loaded for the client (a second protobufjs parse of Envoy's tree would cost startup time).
 */
export function envoyStatusCodeOf(name: string): number | undefined {
  if (statusCodes === undefined) {
    const tree = loadGrpcPackage() as unknown as {
      envoy?: { type?: { v3?: { StatusCode?: EnumDefinition } } };
    };
    const values = tree.envoy?.type?.v3?.StatusCode?.type?.value ?? [];
    statusCodes = new Map(
      values.flatMap((value) =>
        value.name === undefined || value.number === undefined ? [] : [[value.name, value.number] as const],
      ),
    );
  }
  return statusCodes.get(name);
}
