import { createHmac, randomBytes } from 'node:crypto';

/**
 * The TokenReview half of the fake API server (`fake-kube-api-server.ts`), because no real API server
 * can run here. It issues service-account tokens as the TokenRequest API does for a projected volume
 * (JWTs with `aud`, `exp` and the `kubernetes.io` claims naming the namespace, service account and pod)
 * and reviews them as `POST /apis/authentication.k8s.io/v1/tokenreviews` does:
 * - the answer is 201 with the TokenReview echoed (`apiVersion`, `kind`, `metadata.creationTimestamp:
 *   null`, `spec`) and a `status`;
 * - a valid token: `status.authenticated: true`, `status.user` with `username`
 *   (`system:serviceaccount:NS:NAME`), `uid`, `groups` (`system:serviceaccounts`,
 *   `system:serviceaccounts:NS`, `system:authenticated`) and `extra` (`authentication.kubernetes.io/pod-name`,
 *   `/pod-uid`, `/credential-id`), and `status.audiences`: the requested audiences the token carries;
 * - `spec.audiences` empty means the API server's own audience;
 * - an unknown, forged, expired or revoked (pod deleted) token, or one for none of the requested
 *   audiences: `authenticated` absent, `user: {}`, and `error` saying why, as the real server words it;
 * - an empty `spec.token` is 422 Invalid.
 */

/** The API server's own audience, what a review without `spec.audiences` checks against. */
export const API_SERVER_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

export interface IssuedToken {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Bound to a pod (projected volume); absent for a legacy Secret-based token. */
  readonly podName?: string;
  readonly audiences: readonly string[];
  readonly expiresAtMs: number;
}

export class FakeTokenReviews {
  readonly #signingKey = randomBytes(32);
  readonly #revoked = new Set<string>();
  /** Reviews answered, for tests that count round trips to the API server. */
  reviews = 0;

  /** A token as kubelet's TokenRequest would mint it for the pod. */
  issue(token: IssuedToken): string {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'fake' })).toString('base64url');
    const claims = {
      aud: token.audiences,
      exp: Math.floor(token.expiresAtMs / 1000),
      iat: Math.floor(Date.now() / 1000),
      iss: API_SERVER_AUDIENCE,
      jti: randomBytes(8).toString('hex'),
      sub: `system:serviceaccount:${token.namespace}:${token.serviceAccount}`,
      'kubernetes.io': {
        namespace: token.namespace,
        serviceaccount: { name: token.serviceAccount, uid: `sa-uid-${token.serviceAccount}` },
        ...(token.podName !== undefined
          ? { pod: { name: token.podName, uid: `pod-uid-${token.podName}` } }
          : {}),
      },
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha256', this.#signingKey)
      .update(`${header}.${payload}`)
      .digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  /** The pod was deleted: its bound tokens stop validating at once. */
  revoke(token: string): void {
    this.#revoked.add(token);
  }

  /** Answers a TokenReview create: [HTTP status, body]. */
  review(body: unknown): [number, unknown] {
    const request = (body ?? {}) as { spec?: { token?: unknown; audiences?: unknown } };
    const token = typeof request.spec?.token === 'string' ? request.spec.token : '';
    if (token === '')
      return [
        422,
        {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'TokenReview.authentication.k8s.io "" is invalid: spec.token: Required value',
          reason: 'Invalid',
          code: 422,
        },
      ];
    this.reviews += 1;
    const requested = Array.isArray(request.spec?.audiences) ? (request.spec.audiences as string[]) : [];
    const spec = { token, ...(requested.length > 0 ? { audiences: requested } : {}) };
    const answer = (status: Record<string, unknown>): [number, unknown] => [
      201,
      {
        kind: 'TokenReview',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec,
        status,
      },
    ];
    const refused = (error: string) => answer({ user: {}, error });
    const claims = this.#verify(token);
    if (claims === undefined)
      return refused('[invalid bearer token, square/go-jose: error in cryptographic primitive]');
    if (claims.exp * 1000 <= Date.now())
      return refused('[invalid bearer token, service account token has expired]');
    if (this.#revoked.has(token))
      return refused(`[invalid bearer token, pod "${claims['kubernetes.io'].pod?.name ?? ''}" not found]`);
    const wanted = requested.length > 0 ? requested : [API_SERVER_AUDIENCE];
    const audiences = wanted.filter((audience) => claims.aud.includes(audience));
    if (audiences.length === 0)
      return refused(
        `[invalid bearer token, token audiences ${JSON.stringify(claims.aud)} is invalid for the target audiences ${JSON.stringify(wanted)}]`,
      );
    const k8s = claims['kubernetes.io'];
    const pod = k8s.pod;
    return answer({
      authenticated: true,
      user: {
        username: claims.sub,
        uid: k8s.serviceaccount.uid,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${k8s.namespace}`, 'system:authenticated'],
        extra: {
          'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`],
          ...(pod !== undefined
            ? {
                'authentication.kubernetes.io/pod-name': [pod.name],
                'authentication.kubernetes.io/pod-uid': [pod.uid],
              }
            : {}),
        },
      },
      audiences,
    });
  }

  #verify(token: string): TokenClaims | undefined {
    const [header, payload, signature] = token.split('.');
    if (header === undefined || payload === undefined || signature === undefined) return undefined;
    const expected = createHmac('sha256', this.#signingKey)
      .update(`${header}.${payload}`)
      .digest('base64url');
    if (expected !== signature) return undefined;
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  }
}

interface TokenClaims {
  aud: string[];
  exp: number;
  jti: string;
  sub: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
  };
}
