import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { TokenReviewer, TokenReviewResult } from '../sync/agent-auth-kubernetes.js';
import { describeError } from './kubernetes-api-error.js';
import { requestTimeout } from './request-timeout.js';

/**
 * TokenReview over the REST API: POST `/apis/authentication.k8s.io/v1/tokenreviews` (cluster-scoped; the
 * ClusterRole grants `create` on `tokenreviews` and nothing else).
 */
export class KubernetesTokenReviewer implements TokenReviewer {
  readonly #api: AuthenticationV1Api;
  readonly #timeoutMs: number;

  constructor(options: { readonly kubeConfig: KubeConfig; readonly requestTimeoutMs?: number }) {
    this.#api = options.kubeConfig.makeApiClient(AuthenticationV1Api);
    this.#timeoutMs = options.requestTimeoutMs ?? 3000;
  }

  async review(token: string, audiences: readonly string[]): Promise<TokenReviewResult> {
    let review;
    try {
      review = await this.#api.createTokenReview(
        {
          body: {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenReview',
            spec: { token, audiences: [...audiences] },
          },
        },
        requestTimeout(this.#timeoutMs),
      );
    } catch (error) {
      throw new Error(describeError(error));
    }
    const status = review.status ?? {};
    return {
      authenticated: status.authenticated === true,
      ...(status.user?.username !== undefined ? { username: status.user.username } : {}),
      ...(status.user?.extra !== undefined ? { extra: status.user.extra } : {}),
      ...(status.audiences !== undefined ? { audiences: status.audiences } : {}),
      ...(status.error !== undefined ? { error: status.error } : {}),
    };
  }
}
