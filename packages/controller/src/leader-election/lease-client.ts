/**
 * The contract between leader election and wherever the Lease lives: the Kubernetes API
 * (lease-client-kubernetes.ts) or, in tests, a simulated store. Only the fields of a
 * `coordination.k8s.io/v1` Lease that leader election reads and writes are modelled.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/lease-v1/
 */

/** `Lease.spec` as leader election uses it (client-go's LeaderElectionRecord). */
export interface LeaseSpec {
  /** Who holds the Lease; empty once released. */
  readonly holderIdentity: string;
  /** How long others wait, from the last change they observed, before taking it. Whole seconds. */
  readonly leaseDurationSeconds: number;
  /** When the current holder acquired it (Kubernetes MicroTime, RFC 3339 with microseconds). */
  readonly acquireTime: string;
  /** When the current holder last renewed it (MicroTime). */
  readonly renewTime: string;
  /** How many times the holder changed. */
  readonly leaseTransitions: number;
}

/** A Lease as read from (or written to) its store, with the version its next update must carry. */
export interface ObservedLease {
  readonly resourceVersion: string;
  readonly spec: LeaseSpec;
}

/**
 * What one request came to. `conflict` is HTTP 409: a stale resourceVersion on update, or
 * AlreadyExists on create. `failed` is anything else (network, timeout, 5xx, 403).
 */
export type LeaseOutcome =
  | { readonly outcome: 'found'; readonly lease: ObservedLease }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'written'; readonly lease: ObservedLease }
  | { readonly outcome: 'conflict'; readonly message: string }
  | { readonly outcome: 'failed'; readonly message: string };

/** Where the Lease lives. Every method settles (never rejects) within the client's request timeout. */
export interface LeaseClient {
  /** `namespace/name`, for logs. */
  readonly description: string;
  /** GET: `found` or `not-found` (or `failed`). */
  get(): Promise<LeaseOutcome>;
  /** POST: `written`, or `conflict` when it already exists (or `failed`). */
  create(spec: LeaseSpec): Promise<LeaseOutcome>;
  /** PUT carrying `resourceVersion`: `written`, `conflict` when stale, `not-found` when deleted (or `failed`). */
  update(spec: LeaseSpec, resourceVersion: string): Promise<LeaseOutcome>;
}

/** Kubernetes MicroTime: RFC 3339 in UTC with microseconds, as the API server stores Lease times. */
export function microTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, -1)}000Z`;
}
