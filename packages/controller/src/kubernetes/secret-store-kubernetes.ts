import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { describeError, statusCodeOf } from './kubernetes-api-error.js';
import { requestTimeout } from './request-timeout.js';
import type { SecretStore } from './runtime-secret.js';

export interface KubernetesSecretStoreOptions {
  readonly kubeConfig: KubeConfig;
  /** The controller's namespace; the Role grants `create` there and `get` on the named Secrets only. */
  readonly namespace: string;
  /** @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Labels on Secrets it creates (who made them). @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Secrets over the REST API: GET and POST on `/api/v1/namespaces/{namespace}/secrets`. */
export class KubernetesSecretStore implements SecretStore {
  readonly #options: KubernetesSecretStoreOptions;
  readonly #api: CoreV1Api;

  constructor(options: KubernetesSecretStoreOptions) {
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(CoreV1Api);
  }

  async read(name: string): Promise<Record<string, Buffer> | undefined> {
    try {
      const secret = await this.#api.readNamespacedSecret(
        { name, namespace: this.#options.namespace },
        requestTimeout(this.#options.requestTimeoutMs ?? 5000),
      );
      return Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
      );
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw new Error(`Secret ${this.#options.namespace}/${name}: ${describeError(error)}`);
    }
  }

  async create(name: string, data: Readonly<Record<string, Buffer>>): Promise<'created' | 'exists'> {
    try {
      await this.#api.createNamespacedSecret(
        {
          namespace: this.#options.namespace,
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'Opaque',
            metadata: {
              name,
              namespace: this.#options.namespace,
              ...(this.#options.labels !== undefined ? { labels: { ...this.#options.labels } } : {}),
            },
            data: Object.fromEntries(
              Object.entries(data).map(([key, value]) => [key, value.toString('base64')]),
            ),
          },
        },
        requestTimeout(this.#options.requestTimeoutMs ?? 5000),
      );
      return 'created';
    } catch (error) {
      if (statusCodeOf(error) === 409) return 'exists';
      throw new Error(`Secret ${this.#options.namespace}/${name}: ${describeError(error)}`);
    }
  }
}
