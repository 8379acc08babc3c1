import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { FakeSecrets } from './fake-kube-secrets.js';
import { FakeTokenReviews } from './fake-kube-token-review.js';

/**
 * A fake Kubernetes API server for FlowPolicies in one namespace, because no real one can run here.
 * It is deliberately faithful where informers break:
 * - resource versions are one global counter; list returns the current one;
 * - a watch from a resource version older than the retained history answers 200 and then an
 *   in-stream ERROR event with a 410 Status ("too old resource version"), as the real server does,
 *   and closes the stream;
 * - BOOKMARK events (object with only kind, apiVersion and metadata.resourceVersion) are sent when
 *   the client asked with allowWatchBookmarks=true;
 * - metadata.generation changes only when spec changes; status writes go through /status only;
 * - a merge patch of /status carrying a stale metadata.resourceVersion answers 409 Conflict;
 * - list and watch can be made to fail (500) and open watches can be dropped, so clients must restart.
 * Leases (`coordination.k8s.io/v1`, what leader election holds) follow the real registry too:
 * - GET of a missing Lease is 404 NotFound; POST of an existing one is 409 AlreadyExists; PUT never
 *   creates (404 for a missing Lease, as Leases do not allow create-on-update);
 * - a PUT carrying a stale metadata.resourceVersion is 409 Conflict; without one it is unconditional;
 * - every write takes the next value of the one global resource version; uid and
 *   creationTimestamp survive updates; a URL/body name mismatch is 400, a bad spec 422.
 * Each client authenticates with its own token (`kubeConfig(user)`), and `calls` records who sent
 * what and the answer, so tests count writes per controller. A user can be partitioned: its requests
 * then get 503, or no answer at all until healed.
 * Secrets (`secrets`, see fake-kube-secrets.ts) answer GET and POST as the registry does (404, 409
 * AlreadyExists), and TokenReview (`tokenReviews`, see fake-kube-token-review.ts) reviews the
 * service-account tokens it issued as `authentication.k8s.io/v1` does: audiences, expiry, revocation,
 * and the status fields and extra keys the real API returns.
 */
export interface FakeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    generation: number;
    resourceVersion: string;
    uid: string;
    [key: string]: unknown;
  };
  spec: unknown;
  status?: Record<string, unknown>;
}

interface WatchEvent {
  readonly resourceVersion: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: FakeObject;
}

const GROUP_PATH = '/apis/sluice.dev/v1alpha1';
const LEASE_GROUP = 'coordination.k8s.io';
const DEFAULT_USER = 'controller';
const DEFAULT_TOKEN = 'fake-token';

/** A Lease as stored; the spec is kept as the client sent it (the real server also normalises times). */
export interface FakeLease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: {
    name: string;
    namespace: string;
    resourceVersion: string;
    uid: string;
    creationTimestamp: string;
    [key: string]: unknown;
  };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
    [key: string]: unknown;
  };
}

/** One request as the server saw it: who (by token), what, and the status code it answered. */
export interface FakeCall {
  readonly user: string;
  readonly method: string;
  readonly path: string;
  /** When the request arrived (epoch ms). */
  readonly atMs: number;
  code: number;
}

export type PartitionMode = 'unavailable' | 'silent';

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export class FakeKubeApiServer {
  readonly namespace: string;
  /** Every request as `METHOD path?query`, for assertions about what the client did. */
  readonly requests: string[] = [];
  /** `watch-opened` when a watch stream starts delivering live events; `answered` (FakeCall) after each answer. */
  readonly events = new EventEmitter();
  /** Every request with its user and answer (the code is filled in when it is answered). */
  readonly calls: FakeCall[] = [];
  /** Service-account tokens and their reviews (`POST /apis/authentication.k8s.io/v1/tokenreviews`). */
  readonly tokenReviews = new FakeTokenReviews();
  /** Secrets of the namespace (`/api/v1/namespaces/{ns}/secrets`). */
  readonly secrets: FakeSecrets;
  readonly #server: Server;
  readonly #leases = new Map<string, FakeLease>();
  readonly #partitions = new Map<string, PartitionMode>();
  readonly #held = new Set<ServerResponse>();
  readonly #objects = new Map<string, FakeObject>();
  readonly #history: WatchEvent[] = [];
  readonly #watches = new Set<{ response: ServerResponse; bookmarks: boolean }>();
  #resourceVersion = 100;
  #oldestRetained = 100;
  #failLists = 0;
  #failWatches = 0;
  #touchBeforeStatusPatch = false;
  #uid = 0;
  port = 0;

  constructor(namespace: string) {
    this.namespace = namespace;
    this.secrets = new FakeSecrets(namespace, () => String(++this.#resourceVersion));
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) =>
        this.#json(response, 500, status(500, 'InternalError', (error as Error).message)),
      );
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve()));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  async stop(): Promise<void> {
    for (const response of this.#held) response.destroy();
    for (const watch of this.#watches) watch.response.end();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** A kubeconfig for `user`, who authenticates with a token of its own. */
  kubeConfig(user = DEFAULT_USER): KubeConfig {
    const token = user === DEFAULT_USER ? DEFAULT_TOKEN : `${DEFAULT_TOKEN}-${user}`;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${this.port}`, skipTLSVerify: true }],
      users: [{ name: user, token }],
      contexts: [{ name: 'fake', cluster: 'fake', user, namespace: this.namespace }],
      currentContext: 'fake',
    });
    return kubeConfig;
  }

  lease(name: string): FakeLease | undefined {
    const lease = this.#leases.get(name);
    return lease === undefined ? undefined : structuredClone(lease);
  }

  /**
   * From now on `user`'s requests get 503 (`unavailable`) or no answer at all (`silent`, held until
   * `heal` or `stop`), as when its node loses the API server.
   */
  partition(user: string, mode: PartitionMode): void {
    this.#partitions.set(user, mode);
  }

  heal(user: string): void {
    this.#partitions.delete(user);
  }

  /** Replaces a FlowPolicy's status as another writer (an earlier controller) would; a watch event follows. */
  setStatus(name: string, statusValue: Record<string, unknown>): void {
    const object = this.#objects.get(name);
    if (object === undefined) throw new Error(`no FlowPolicy ${name}`);
    const updated: FakeObject = {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(++this.#resourceVersion) },
      status: structuredClone(statusValue),
    };
    this.#objects.set(name, updated);
    this.#emit('MODIFIED', updated);
  }

  get(name: string): FakeObject | undefined {
    const object = this.#objects.get(name);
    return object === undefined ? undefined : structuredClone(object);
  }

  /** Creates or replaces a FlowPolicy as `kubectl apply` would; generation moves only with spec. */
  apply(document: { metadata: { name: string }; spec: unknown; [key: string]: unknown }): FakeObject {
    const existing = this.#objects.get(document.metadata.name);
    const specChanged =
      existing === undefined || JSON.stringify(existing.spec) !== JSON.stringify(document.spec);
    const object: FakeObject = {
      ...(document as object),
      apiVersion: String(document.apiVersion ?? 'sluice.dev/v1alpha1'),
      kind: String(document.kind ?? 'FlowPolicy'),
      metadata: {
        ...document.metadata,
        namespace: this.namespace,
        uid: existing?.metadata.uid ?? `uid-${++this.#uid}`,
        generation: existing === undefined ? 1 : existing.metadata.generation + (specChanged ? 1 : 0),
        resourceVersion: String(++this.#resourceVersion),
      },
      spec: document.spec,
      ...(existing?.status !== undefined ? { status: existing.status } : {}),
    };
    this.#objects.set(object.metadata.name, object);
    this.#emit(existing === undefined ? 'ADDED' : 'MODIFIED', object);
    return structuredClone(object);
  }

  delete(name: string): void {
    const object = this.#objects.get(name);
    if (object === undefined) return;
    this.#objects.delete(name);
    this.#emit('DELETED', {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(++this.#resourceVersion) },
    });
  }

  /** Writes to other resources in etcd move the global resource version without events here. */
  advanceResourceVersion(by: number): void {
    this.#resourceVersion += by;
  }

  /** Forgets the event history, as etcd compaction does: watches from older versions get 410. */
  compact(): void {
    this.#oldestRetained = this.#resourceVersion;
    this.#history.length = 0;
  }

  /** Sends a BOOKMARK at the current resource version to watches that asked for bookmarks. */
  bookmark(): void {
    for (const watch of this.#watches) {
      if (watch.bookmarks)
        this.#write(watch.response, {
          type: 'BOOKMARK',
          object: {
            kind: 'FlowPolicy',
            apiVersion: 'sluice.dev/v1alpha1',
            metadata: { resourceVersion: String(this.#resourceVersion) },
          },
        });
    }
  }

  /** Ends every open watch stream (an API server restart or a load balancer timeout). */
  dropWatches(): void {
    for (const watch of this.#watches) watch.response.end();
    this.#watches.clear();
  }

  /** Sends an in-stream 410 ERROR to every open watch, then closes them, as the API server does after compaction. */
  expireWatches(): void {
    this.compact();
    for (const watch of this.#watches) {
      this.#write(watch.response, {
        type: 'ERROR',
        object: status(
          410,
          'Expired',
          `too old resource version: ${this.#resourceVersion - 1} (${this.#resourceVersion})`,
        ),
      });
      watch.response.end();
    }
    this.#watches.clear();
  }

  /** The next `count` list requests answer 500. */
  failLists(count: number): void {
    this.#failLists = count;
  }

  /** The next `count` watch requests answer 500. */
  failWatches(count: number): void {
    this.#failWatches = count;
  }

  /**
   * Before the next status patch is evaluated, another writer changes the object's metadata (a
   * label, as `kubectl label` would): the resource version moves, generation does not.
   */
  touchBeforeNextStatusPatch(): void {
    this.#touchBeforeStatusPatch = true;
  }

  /** Resolves once `count` more answered calls satisfy `predicate`. */
  answered(predicate: (call: FakeCall) => boolean, count = 1): Promise<void> {
    return new Promise((resolve) => {
      let seen = 0;
      const listener = (call: FakeCall) => {
        if (!predicate(call) || ++seen < count) return;
        this.events.off('answered', listener);
        resolve();
      };
      this.events.on('answered', listener);
    });
  }

  /** Resolves once a watch stream is open (at once if one is). */
  async liveWatch(): Promise<void> {
    if (this.#watches.size > 0) return;
    await once(this.events, 'watch-opened');
  }

  get currentResourceVersion(): string {
    return String(this.#resourceVersion);
  }

  get openWatches(): number {
    return this.#watches.size;
  }

  #emit(type: WatchEvent['type'], object: FakeObject): void {
    const event: WatchEvent = {
      resourceVersion: Number(object.metadata.resourceVersion),
      type,
      object: structuredClone(object),
    };
    this.#history.push(event);
    for (const watch of this.#watches) this.#write(watch.response, { type, object: event.object });
  }

  #write(response: ServerResponse, event: unknown): void {
    response.write(`${JSON.stringify(event)}\n`);
  }

  #json(response: ServerResponse, code: number, body: unknown): void {
    if (response.headersSent) {
      response.end();
      return;
    }
    const text = JSON.stringify(body);
    response.writeHead(code, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }

  #userOf(request: IncomingMessage): string | undefined {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    if (match?.[1] === DEFAULT_TOKEN) return DEFAULT_USER;
    const prefix = `${DEFAULT_TOKEN}-`;
    return match?.[1]?.startsWith(prefix) ? match[1].slice(prefix.length) : undefined;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    this.requests.push(`${request.method ?? 'GET'} ${url.pathname}${url.search}`);
    const collection = `${GROUP_PATH}/namespaces/${this.namespace}/flowpolicies`;
    const user = this.#userOf(request);
    const call: FakeCall = {
      user: user ?? '<anonymous>',
      method: request.method ?? 'GET',
      path: url.pathname,
      atMs: Date.now(),
      code: 0,
    };
    this.calls.push(call);
    response.once('finish', () => {
      call.code = response.statusCode;
      this.events.emit('answered', call);
    });
    if (user === undefined) return this.#json(response, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const partition = this.#partitions.get(user);
    if (partition === 'silent') {
      this.#held.add(response);
      return;
    }
    if (partition === 'unavailable')
      return this.#json(
        response,
        503,
        status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'),
      );
    if (url.pathname === '/apis/authentication.k8s.io/v1/tokenreviews') {
      if (request.method !== 'POST')
        return this.#json(
          response,
          405,
          status(405, 'MethodNotAllowed', `${request.method ?? ''} is not supported here`),
        );
      const [code, body] = this.tokenReviews.review(await this.#body(request));
      return this.#json(response, code, body);
    }
    const secrets = `/api/v1/namespaces/${this.namespace}/secrets`;
    if (url.pathname === secrets && request.method === 'POST') {
      const [code, body] = this.secrets.create(await this.#body(request));
      return this.#json(response, code, body);
    }
    if (url.pathname.startsWith(`${secrets}/`) && request.method === 'GET') {
      const [code, body] = this.secrets.read(decodeURIComponent(url.pathname.slice(secrets.length + 1)));
      return this.#json(response, code, body);
    }
    const leases = `/apis/${LEASE_GROUP}/v1/namespaces/${this.namespace}/leases`;
    if (url.pathname === leases || url.pathname.startsWith(`${leases}/`))
      return this.#handleLease(request, response, url.pathname.slice(leases.length + 1));
    if (request.method === 'GET' && url.pathname === collection) {
      if (url.searchParams.get('watch') === 'true') return this.#startWatch(url, response);
      if (this.#failLists > 0) {
        this.#failLists -= 1;
        return this.#json(response, 500, status(500, 'InternalError', 'etcdserver: request timed out'));
      }
      return this.#json(response, 200, {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'FlowPolicyList',
        metadata: { resourceVersion: String(this.#resourceVersion) },
        items: [...this.#objects.values()].map((object) => structuredClone(object)),
      });
    }
    const match = new RegExp(`^${collection}/([^/]+)(/status)?$`).exec(url.pathname);
    if (match?.[1] === undefined)
      return this.#json(
        response,
        404,
        status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`),
      );
    const name = decodeURIComponent(match[1]);
    const object = this.#objects.get(name);
    if (object === undefined)
      return this.#json(
        response,
        404,
        status(404, 'NotFound', `flowpolicies.sluice.dev "${name}" not found`),
      );
    if (request.method === 'GET' && match[2] === undefined) return this.#json(response, 200, object);
    if (request.method === 'PATCH' && match[2] === '/status')
      return this.#patchStatus(request, response, object);
    return this.#json(
      response,
      405,
      status(405, 'MethodNotAllowed', `${request.method ?? ''} is not supported here`),
    );
  }

  async #patchStatus(request: IncomingMessage, response: ServerResponse, object: FakeObject): Promise<void> {
    if (request.headers['content-type'] !== 'application/merge-patch+json') {
      return this.#json(
        response,
        415,
        status(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json (got ${request.headers['content-type'] ?? 'none'})`,
        ),
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const patch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      metadata?: { resourceVersion?: string };
      status?: unknown;
    };
    if (this.#touchBeforeStatusPatch) {
      this.#touchBeforeStatusPatch = false;
      const labels = {
        ...((object.metadata.labels as Record<string, string> | undefined) ?? {}),
        touched: 'true',
      };
      object = {
        ...object,
        metadata: { ...object.metadata, labels, resourceVersion: String(++this.#resourceVersion) },
      };
      this.#objects.set(object.metadata.name, object);
      this.#emit('MODIFIED', object);
    }
    const precondition = patch.metadata?.resourceVersion;
    if (precondition !== undefined && precondition !== object.metadata.resourceVersion) {
      return this.#json(
        response,
        409,
        status(
          409,
          'Conflict',
          `Operation cannot be fulfilled on flowpolicies.sluice.dev "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
        ),
      );
    }
    // The status subresource ignores everything but status (and never bumps generation).
    const updated: FakeObject = {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(++this.#resourceVersion) },
      status: mergePatch(object.status ?? {}, patch.status ?? {}) as Record<string, unknown>,
    };
    this.#objects.set(object.metadata.name, updated);
    this.#emit('MODIFIED', updated);
    return this.#json(response, 200, updated);
  }

  async #handleLease(request: IncomingMessage, response: ServerResponse, name: string): Promise<void> {
    const method = request.method ?? 'GET';
    const notFound = (leaseName: string) =>
      this.#json(response, 404, status(404, 'NotFound', `leases.${LEASE_GROUP} "${leaseName}" not found`));
    if (method === 'GET' && name !== '') {
      const lease = this.#leases.get(decodeURIComponent(name));
      return lease === undefined ? notFound(decodeURIComponent(name)) : this.#json(response, 200, lease);
    }
    if (!((method === 'POST' && name === '') || (method === 'PUT' && name !== '')))
      return this.#json(response, 405, status(405, 'MethodNotAllowed', `${method} is not supported here`));
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      metadata?: { name?: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
      spec?: FakeLease['spec'];
    };
    const bodyName = body.metadata?.name ?? '';
    if (body.metadata?.namespace !== undefined && body.metadata.namespace !== this.namespace)
      return this.#json(
        response,
        400,
        status(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        ),
      );
    const spec = body.spec ?? {};
    const invalid: string[] = [];
    if (spec.leaseDurationSeconds !== undefined && !(spec.leaseDurationSeconds > 0))
      invalid.push(
        `spec.leaseDurationSeconds: Invalid value: ${spec.leaseDurationSeconds}: must be greater than 0`,
      );
    if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0)
      invalid.push(
        `spec.leaseTransitions: Invalid value: ${spec.leaseTransitions}: must be greater than or equal to 0`,
      );
    if (invalid.length > 0)
      return this.#json(
        response,
        422,
        status(422, 'Invalid', `Lease.${LEASE_GROUP} "${bodyName}" is invalid: ${invalid.join(', ')}`),
      );
    if (method === 'POST') {
      if (bodyName === '')
        return this.#json(
          response,
          422,
          status(422, 'Invalid', 'metadata.name: Required value: name or generateName is required'),
        );
      if (body.metadata?.resourceVersion !== undefined && body.metadata.resourceVersion !== '')
        return this.#json(
          response,
          500,
          status(500, 'InternalError', 'resourceVersion should not be set on objects to be created'),
        );
      if (this.#leases.has(bodyName))
        return this.#json(
          response,
          409,
          status(409, 'AlreadyExists', `leases.${LEASE_GROUP} "${bodyName}" already exists`),
        );
      const lease: FakeLease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          ...(body.metadata ?? {}),
          name: bodyName,
          namespace: this.namespace,
          uid: `uid-${++this.#uid}`,
          creationTimestamp: new Date().toISOString(),
          resourceVersion: String(++this.#resourceVersion),
        },
        spec: structuredClone(spec),
      };
      this.#leases.set(bodyName, lease);
      return this.#json(response, 201, lease);
    }
    const urlName = decodeURIComponent(name);
    if (bodyName !== urlName)
      return this.#json(
        response,
        400,
        status(
          400,
          'BadRequest',
          `the name of the object (${bodyName}) does not match the name on the URL (${urlName})`,
        ),
      );
    const existing = this.#leases.get(urlName);
    if (existing === undefined) return notFound(urlName);
    const precondition = body.metadata?.resourceVersion;
    if (
      precondition !== undefined &&
      precondition !== '' &&
      precondition !== existing.metadata.resourceVersion
    )
      return this.#json(
        response,
        409,
        status(
          409,
          'Conflict',
          `Operation cannot be fulfilled on leases.${LEASE_GROUP} "${urlName}": the object has been modified; please apply your changes to the latest version and try again`,
        ),
      );
    const lease: FakeLease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        ...(body.metadata ?? {}),
        name: urlName,
        namespace: this.namespace,
        uid: existing.metadata.uid,
        creationTimestamp: existing.metadata.creationTimestamp,
        resourceVersion: String(++this.#resourceVersion),
      },
      spec: structuredClone(spec),
    };
    this.#leases.set(urlName, lease);
    return this.#json(response, 200, lease);
  }

  async #body(request: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  }

  #startWatch(url: URL, response: ServerResponse): void {
    if (this.#failWatches > 0) {
      this.#failWatches -= 1;
      return this.#json(response, 500, status(500, 'InternalError', 'watch failed'));
    }
    const from = Number(url.searchParams.get('resourceVersion') ?? '0');
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    if (from < this.#oldestRetained) {
      this.#write(response, {
        type: 'ERROR',
        object: status(410, 'Expired', `too old resource version: ${from} (${this.#oldestRetained})`),
      });
      response.end();
      return;
    }
    const watch = { response, bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true' };
    for (const event of this.#history)
      if (event.resourceVersion > from) this.#write(response, { type: event.type, object: event.object });
    this.#watches.add(watch);
    response.on('close', () => this.#watches.delete(watch));
    this.events.emit('watch-opened');
  }
}
