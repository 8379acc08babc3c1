import { EventEmitter } from 'node:events';
import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { FLOW_POLICY_CRD } from '@sluice/spec';
import type { Clock } from '@sluice/clock';
import { systemClockUnref } from '@sluice/clock';
import { BaselineStateSchema, type BaselineState } from '../control/latency-baseline.js';
import type { PolicyRegistry } from '../policies/policy-registry.js';
import { describeError, statusCodeOf } from '../kubernetes/kubernetes-api-error.js';
import type { BaselineStore } from '../state/baseline-store.js';
import { policyStatus, type Condition } from './policy-status.js';

/** A FlowPolicy as the API server returns it (validated later, by the registry). */
interface FlowPolicyObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    generation?: number;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  spec?: unknown;
  status?: {
    conditions?: Condition[];
    controlLoops?: Record<string, { baseline?: unknown }>;
    [key: string]: unknown;
  };
}

export interface KubernetesPolicySourceOptions {
  readonly kubeConfig: KubeConfig;
  /** The controller's namespace; FlowPolicies elsewhere are not watched (Aperture's rule too). */
  readonly namespace: string;
  readonly clock?: Clock;
  /** First retry delay after an error; doubles up to `maxRetryDelayMs`. @default 500 */
  readonly retryDelayMs?: number;
  /** @default 30000 */
  readonly maxRetryDelayMs?: number;
  /** Shortest gap between two baseline writes to one object's status. @default 30000 */
  readonly baselineWriteIntervalMs?: number;
  /**
   * Whether this controller may write status now. With leader election only the leader does: a
   * follower keeps its cache (baselines included) current from the watch and writes nothing.
   * @default () => true
   */
  readonly mayWrite?: () => boolean;
  readonly log?: (message: string) => void;
  readonly warn?: (message: string) => void;
}

/** Ends a watch early: the reason is recorded, then the stream is aborted. */
class WatchEnded extends Error {}

/**
 * FlowPolicy custom resources in one namespace, by list + watch (a reflector of its own rather than
 * the client's ListWatch, which stops for good after any error other than 410). It handles what
 * breaks informers: a 410 Gone, as an HTTP status or as an in-stream ERROR event, relists; BOOKMARK
 * events only advance the resource version; any other error or a closed stream restarts the watch
 * with exponential backoff, relisting after errors. Status is written through the status
 * subresource as a merge patch carrying the observed resourceVersion; a 409 (stale) re-reads the
 * object and retries unless a newer generation is on its way anyway.
 */
export class KubernetesPolicySource {
  /**
   * `listed`, `watching` (resourceVersion), `watch-event` (type), `restarted` (reason), `failed` (error), `status-written` (name,
   * status), `status-conflict` (name), `baseline-written` (name). Not `error`: an unlistened `error`
   * event throws.
   */
  readonly events = new EventEmitter();
  readonly #options: KubernetesPolicySourceOptions;
  readonly #api: CustomObjectsApi;
  readonly #watch: Watch;
  readonly #clock: Clock;
  readonly #log: (message: string) => void;
  readonly #warn: (message: string) => void;
  readonly #mayWrite: () => boolean;
  readonly #objects = new Map<string, FlowPolicyObject>();
  readonly #processedGeneration = new Map<string, number>();
  readonly #pendingBaselines = new Map<string, Map<string, BaselineState>>();
  readonly #lastBaselineWrite = new Map<string, number>();
  #registry: PolicyRegistry | undefined;
  #resourceVersion: string | undefined;
  #abort: AbortController | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #wakeRetry: (() => void) | undefined;
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(options: KubernetesPolicySourceOptions) {
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.#watch = new Watch(options.kubeConfig);
    this.#clock = options.clock ?? systemClockUnref;
    this.#log = options.log ?? ((message) => console.log(message));
    this.#warn = options.warn ?? ((message) => console.warn(message));
    this.#mayWrite = options.mayWrite ?? (() => true);
  }

  /** In-cluster service account, or KUBECONFIG / ~/.kube/config outside a cluster. */
  static fromDefaultKubeConfig(
    options: Omit<KubernetesPolicySourceOptions, 'kubeConfig'>,
  ): KubernetesPolicySource {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    return new KubernetesPolicySource({ ...options, kubeConfig });
  }

  get #path(): string {
    return `/apis/${FLOW_POLICY_CRD.group}/${FLOW_POLICY_CRD.version}/namespaces/${this.#options.namespace}/${FLOW_POLICY_CRD.plural}`;
  }

  /** Starts the reflector; resolves after the first successful list (readiness). */
  start(registry: PolicyRegistry): Promise<void> {
    this.#registry = registry;
    this.#stopped = false;
    const listed = new Promise<void>((resolve) => this.events.once('listed', () => resolve()));
    this.#running = this.#run();
    return listed;
  }

  /** Writes baselines still held back by the write interval, then stops watching. */
  async stop(): Promise<void> {
    await Promise.all([...this.#pendingBaselines.keys()].map((name) => this.#flushBaselines(name)));
    this.#stopped = true;
    this.#abort?.abort();
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#wakeRetry?.();
    await this.#running;
  }

  /**
   * Writes the status of every FlowPolicy whose status is not what this controller would write (a
   * new leader catching up on generations that changed while no leader was writing). Nothing is
   * written for an object whose status is already current.
   */
  async resyncStatus(): Promise<void> {
    const stale = [...this.#objects.keys()].filter((name) => {
      const wanted = this.#statusFor(name);
      if (wanted === undefined) return false;
      const current = this.#objects.get(name)?.status;
      const comparable = {
        observedGeneration: current?.observedGeneration,
        policyHash: current?.policyHash,
        runningPolicyHash: current?.runningPolicyHash,
        conditions: current?.conditions,
      };
      return JSON.stringify(comparable) !== JSON.stringify(wanted);
    });
    for (const name of stale) await this.#writeStatus(name);
  }

  /** Baselines in FlowPolicy status (`status.controlLoops.<component>.baseline`). */
  baselineStore(): BaselineStore {
    return {
      load: (key) => this.#loadBaseline(key),
      save: (key, state) => this.#saveBaseline(key, state),
    };
  }

  async #run(): Promise<void> {
    let delay = this.#options.retryDelayMs ?? 500;
    while (!this.#stopped) {
      try {
        if (this.#resourceVersion === undefined) await this.#list();
        const reason = await this.#watchOnce();
        delay = this.#options.retryDelayMs ?? 500;
        this.events.emit('restarted', reason);
      } catch (error) {
        if (this.#stopped) return;
        // After an error nothing says the cache is still complete: relist.
        this.#resourceVersion = undefined;
        this.#warn(
          `FlowPolicy watch in ${this.#options.namespace}: ${describeError(error)}; retrying in ${delay} ms`,
        );
        this.events.emit('failed', error);
        await new Promise<void>((resolve) => {
          this.#wakeRetry = resolve;
          this.#retryTimer = setTimeout(resolve, delay);
        });
        delay = Math.min(delay * 2, this.#options.maxRetryDelayMs ?? 30_000);
        this.events.emit('restarted', 'error');
      }
    }
  }

  async #list(): Promise<void> {
    const { group, version, plural } = FLOW_POLICY_CRD;
    const list = (await this.#api.listNamespacedCustomObject({
      group,
      version,
      namespace: this.#options.namespace,
      plural,
    })) as {
      metadata?: { resourceVersion?: string };
      items?: FlowPolicyObject[];
    };
    const items = list.items ?? [];
    const names = new Set(items.map((item) => item.metadata?.name ?? ''));
    for (const name of [...this.#objects.keys()]) if (!names.has(name)) this.#deleted(name);
    for (const item of items) await this.#upsert(item);
    this.#resourceVersion = list.metadata?.resourceVersion ?? '';
    this.#log(
      `FlowPolicies in ${this.#options.namespace}: listed ${items.length} at resourceVersion ${this.#resourceVersion}`,
    );
    this.events.emit('listed');
  }

  /** One watch request; resolves with why it ended normally, rejects on an error that needs backoff. */
  #watchOnce(): Promise<string> {
    return new Promise((resolve, reject) => {
      let settled = false;
      // Events are handled one at a time, in order; the end of the stream queues behind them, so an
      // ERROR event that arrived just before the close is seen before the close is.
      let queue = Promise.resolve();
      const finish = (error: unknown, reason: string) => {
        if (settled) return;
        settled = true;
        if (error === undefined) resolve(reason);
        else reject(error);
      };
      const onEvent = (type: string, object: FlowPolicyObject & { code?: number; message?: string }) => {
        queue = queue.then(async () => {
          if (settled && type !== 'ERROR') return;
          this.events.emit('watch-event', type);
          switch (type) {
            case 'ADDED':
            case 'MODIFIED':
              await this.#upsert(object);
              break;
            case 'DELETED':
              this.#deleted(object.metadata?.name ?? '');
              break;
            case 'BOOKMARK':
              // Only the resource version advances; a bookmark carries no object to process.
              break;
            case 'ERROR':
              // The API server reports an expired resource version as an in-stream ERROR (410), not
              // an HTTP status. Any error event invalidates the position: relist.
              this.#resourceVersion = undefined;
              finish(
                undefined,
                object.code === 410 ? 'gone' : `error event ${object.code ?? '?'}: ${object.message ?? ''}`,
              );
              this.#abort?.abort();
              return;
            default:
              return;
          }
          const version = object.metadata?.resourceVersion;
          if (version !== undefined && version !== '') this.#resourceVersion = version;
        });
      };
      const onDone = (error: unknown) => {
        queue = queue.then(() => {
          if (error === null || error === undefined || this.#stopped) return finish(undefined, 'closed');
          if (statusCodeOf(error) === 410) {
            this.#resourceVersion = undefined;
            return finish(undefined, 'gone');
          }
          finish(error instanceof Error ? error : new WatchEnded(String(error)), 'error');
        });
      };
      this.events.emit('watching', this.#resourceVersion);
      this.#watch
        .watch(
          this.#path,
          { resourceVersion: this.#resourceVersion, allowWatchBookmarks: true },
          onEvent,
          onDone,
        )
        .then((abort) => {
          this.#abort = abort;
          if (this.#stopped) abort.abort();
        })
        .catch((error: unknown) => finish(error, 'error'));
    });
  }

  async #upsert(object: FlowPolicyObject): Promise<void> {
    const name = object.metadata?.name;
    if (name === undefined || this.#registry === undefined) return;
    this.#objects.set(name, object);
    const generation = object.metadata?.generation ?? 0;
    // Our own status writes bump the resource version but not the generation: nothing to recompile.
    if (
      this.#processedGeneration.get(name) === generation &&
      object.status?.observedGeneration === generation
    )
      return;
    if (this.#processedGeneration.get(name) !== generation) {
      this.#processedGeneration.set(name, generation);
      // The registry validates apiVersion, kind, metadata and spec; status is the controller's own.
      const { status: _status, ...document } = object;
      this.#registry.apply(this.#key(name), document);
    }
    await this.#writeStatus(name);
  }

  #deleted(name: string): void {
    this.#objects.delete(name);
    this.#processedGeneration.delete(name);
    this.#pendingBaselines.delete(name);
    this.#registry?.remove(this.#key(name));
  }

  #key(name: string): string {
    return `${this.#options.namespace}/${name}`;
  }

  #statusFor(name: string): ReturnType<typeof policyStatus> | undefined {
    const object = this.#objects.get(name);
    const entry = this.#registry?.get(this.#key(name));
    if (object === undefined || entry === undefined) return undefined;
    return policyStatus({
      entry,
      generation: object.metadata?.generation ?? 0,
      previous: object.status?.conditions,
      nowIso: new Date(this.#clock.wallNow()).toISOString(),
    });
  }

  async #writeStatus(name: string, attempt = 1): Promise<void> {
    const object = this.#objects.get(name);
    const status = this.#statusFor(name);
    if (object === undefined || status === undefined || !this.#mayWrite()) return;
    const generation = object.metadata?.generation ?? 0;
    try {
      const updated = await this.#patchStatus(name, {
        metadata: { resourceVersion: object.metadata?.resourceVersion },
        status,
      });
      this.#objects.set(name, updated);
      this.events.emit('status-written', name, status);
    } catch (error) {
      if (statusCodeOf(error) !== 409 || attempt >= 3) {
        this.#warn(`FlowPolicy ${this.#key(name)}: status not written (${describeError(error)})`);
        return;
      }
      // Stale resourceVersion: re-read. A newer generation reaches us through the watch and gets its
      // own status; for the same generation, retry on the fresh version.
      const { group, version, plural } = FLOW_POLICY_CRD;
      const fresh = (await this.#api.getNamespacedCustomObject({
        group,
        version,
        namespace: this.#options.namespace,
        plural,
        name,
      })) as FlowPolicyObject;
      if ((fresh.metadata?.generation ?? 0) !== generation) return;
      this.#objects.set(name, fresh);
      this.events.emit('status-conflict', name);
      await this.#writeStatus(name, attempt + 1);
    }
  }

  async #patchStatus(name: string, body: unknown): Promise<FlowPolicyObject> {
    const { group, version, plural } = FLOW_POLICY_CRD;
    return (await this.#api.patchNamespacedCustomObjectStatus(
      { group, version, namespace: this.#options.namespace, plural, name, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as FlowPolicyObject;
  }

  #loadBaseline(key: string): BaselineState | undefined {
    const [name = '', componentId = ''] = key.split('/');
    const saved = this.#objects.get(name)?.status?.controlLoops?.[componentId]?.baseline;
    if (saved === undefined) return undefined;
    const parsed = BaselineStateSchema.safeParse(saved);
    if (!parsed.success) {
      this.#warn(
        `FlowPolicy ${this.#key(name)}: status.controlLoops.${componentId}.baseline is invalid; warming up again`,
      );
      return undefined;
    }
    return parsed.data;
  }

  #saveBaseline(key: string, state: BaselineState): void {
    const [name = '', componentId = ''] = key.split('/');
    if (!this.#objects.has(name) || !this.#mayWrite()) return;
    const pending = this.#pendingBaselines.get(name) ?? new Map<string, BaselineState>();
    pending.set(componentId, state);
    this.#pendingBaselines.set(name, pending);
    const last = this.#lastBaselineWrite.get(name) ?? Number.NEGATIVE_INFINITY;
    // Every status write is an etcd write and a watch event for every client; a baseline that moves
    // slowly does not need more than one write per interval. What is held back is written by the
    // next save after the interval, or by stop().
    if (this.#clock.wallNow() - last < (this.#options.baselineWriteIntervalMs ?? 30_000)) return;
    void this.#flushBaselines(name);
  }

  async #flushBaselines(name: string): Promise<void> {
    const pending = this.#pendingBaselines.get(name);
    if (pending === undefined || !this.#mayWrite()) return;
    this.#lastBaselineWrite.set(name, this.#clock.wallNow());
    this.#pendingBaselines.delete(name);
    const controlLoops = Object.fromEntries(
      [...pending].map(([component, baseline]) => [component, { baseline }]),
    );
    // No resourceVersion precondition: the controller alone owns status.controlLoops, and a merge
    // patch of that key cannot undo anyone else's write.
    try {
      const updated = await this.#patchStatus(name, { status: { controlLoops } });
      this.#objects.set(name, updated);
      this.events.emit('baseline-written', name);
    } catch (error) {
      this.#warn(`FlowPolicy ${this.#key(name)}: baseline not saved (${describeError(error)})`);
    }
  }
}
