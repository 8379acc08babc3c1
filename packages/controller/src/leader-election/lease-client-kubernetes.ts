import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { describeError, statusCodeOf } from '../kubernetes/kubernetes-api-error.js';
import { isRequestTimeout, requestTimeout } from '../kubernetes/request-timeout.js';
import type { LeaseClient, LeaseOutcome, LeaseSpec } from './lease-client.js';

export interface KubernetesLeaseClientOptions {
  readonly kubeConfig: KubeConfig;
  /** Where the Lease lives (the controller's own namespace, POD_NAMESPACE). */
  readonly namespace: string;
  readonly name: string;
  /** A request not answered by then counts as failed. @default 2000 */
  readonly requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 2000;

/** MicroTime arrives as a string (the client does not know the type) or a Date; either way, a string. */
function timeText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : '';
}

/**
 * The Lease over the Kubernetes REST API: GET, POST and PUT on
 * `/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}` (the Role grants create, and
 * get and update on this one name). Updates are full replacements of the object last read, so
 * labels, annotations and spec fields leader election does not own survive, and they carry its
 * resourceVersion: a stale one is answered 409.
 */
export class KubernetesLeaseClient implements LeaseClient {
  readonly description: string;
  readonly #options: KubernetesLeaseClientOptions;
  readonly #api: CoordinationV1Api;
  /** The object as last read or written, the base of the next update. */
  #last: V1Lease | undefined;

  constructor(options: KubernetesLeaseClientOptions) {
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.description = `${options.namespace}/${options.name}`;
  }

  async get(): Promise<LeaseOutcome> {
    try {
      const lease = await this.#api.readNamespacedLease(
        { name: this.#options.name, namespace: this.#options.namespace },
        requestTimeout(this.#timeoutMs()),
      );
      return { outcome: 'found', lease: this.#observed(lease) };
    } catch (error) {
      return statusCodeOf(error) === 404 ? { outcome: 'not-found' } : this.#failed(error);
    }
  }

  async create(spec: LeaseSpec): Promise<LeaseOutcome> {
    try {
      const lease = await this.#api.createNamespacedLease(
        {
          namespace: this.#options.namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.#options.name, namespace: this.#options.namespace },
            spec: this.#wireSpec(spec, undefined),
          },
        },
        requestTimeout(this.#timeoutMs()),
      );
      return { outcome: 'written', lease: this.#observed(lease) };
    } catch (error) {
      return statusCodeOf(error) === 409
        ? { outcome: 'conflict', message: describeError(error) }
        : this.#failed(error);
    }
  }

  async update(spec: LeaseSpec, resourceVersion: string): Promise<LeaseOutcome> {
    const base = this.#last?.metadata?.resourceVersion === resourceVersion ? this.#last : undefined;
    try {
      const lease = await this.#api.replaceNamespacedLease(
        {
          name: this.#options.name,
          namespace: this.#options.namespace,
          body: {
            ...(base ?? {}),
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: {
              ...(base?.metadata ?? {}),
              name: this.#options.name,
              namespace: this.#options.namespace,
              resourceVersion,
            },
            spec: this.#wireSpec(spec, base),
          },
        },
        requestTimeout(this.#timeoutMs()),
      );
      return { outcome: 'written', lease: this.#observed(lease) };
    } catch (error) {
      const code = statusCodeOf(error);
      if (code === 409) return { outcome: 'conflict', message: describeError(error) };
      if (code === 404) return { outcome: 'not-found' };
      return this.#failed(error);
    }
  }

  #wireSpec(spec: LeaseSpec, base: V1Lease | undefined): V1Lease['spec'] {
    return {
      ...(base?.spec ?? {}),
      holderIdentity: spec.holderIdentity,
      leaseDurationSeconds: spec.leaseDurationSeconds,
      acquireTime: new V1MicroTime(spec.acquireTime),
      renewTime: new V1MicroTime(spec.renewTime),
      leaseTransitions: spec.leaseTransitions,
    };
  }

  #observed(lease: V1Lease) {
    this.#last = lease;
    return {
      resourceVersion: lease.metadata?.resourceVersion ?? '',
      spec: {
        holderIdentity: lease.spec?.holderIdentity ?? '',
        leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 0,
        acquireTime: timeText(lease.spec?.acquireTime),
        renewTime: timeText(lease.spec?.renewTime),
        leaseTransitions: lease.spec?.leaseTransitions ?? 0,
      },
    };
  }

  #failed(error: unknown): LeaseOutcome {
    return {
      outcome: 'failed',
      message: isRequestTimeout(error)
        ? `Lease ${this.description}: no answer within ${this.#timeoutMs()} ms`
        : `Lease ${this.description}: ${describeError(error)}`,
    };
  }

  #timeoutMs(): number {
    return this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }
}
