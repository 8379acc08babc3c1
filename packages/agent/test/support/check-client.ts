import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { authorizationService } from '@sluice/spec/protos';
import type { CheckResponseMessage } from '../../src/check/check-response.js';

export interface CheckOptions {
  /** Sent as the `control-point` metadata, as Envoy's initial_metadata does; omitted when undefined. */
  readonly controlPoint?: string;
  /** gRPC deadline from now. @default 5000 */
  readonly deadlineMs?: number;
}

/** A real gRPC ext_authz client on Envoy's protos, with a promise-returning Check. */
export interface CheckClient {
  check(request: object, options?: CheckOptions): Promise<CheckResponseMessage>;
  close(): void;
}

type RawClient = {
  Check: (
    r: object,
    m: Metadata,
    o: object,
    cb: (e: ServiceError | null, v: CheckResponseMessage) => void,
  ) => void;
  close: () => void;
};

export function checkClient(address: string): CheckClient {
  const Authorization = authorizationService();
  const raw = new Authorization(address, credentials.createInsecure()) as unknown as RawClient;
  return {
    check(request, options = {}) {
      const metadata = new Metadata();
      if (options.controlPoint !== undefined) metadata.set('control-point', options.controlPoint);
      return new Promise((resolve, reject) =>
        raw.Check(
          request,
          metadata,
          { deadline: Date.now() + (options.deadlineMs ?? 5000) },
          (error, value) => (error ? reject(error) : resolve(value)),
        ),
      );
    },
    close: () => raw.close(),
  };
}
