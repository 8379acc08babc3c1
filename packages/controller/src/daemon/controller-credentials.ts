import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { AGENT_TOKEN_AUDIENCE, resolveAgentAuth, type ControllerConfig } from '@sluice/spec';
import type { Clock } from '@sluice/clock';
import { ensureRuntimeSecret } from '../kubernetes/runtime-secret.js';
import { NO_AGENT_AUTH, type AgentAuthenticator } from '../sync/agent-auth.js';
import { TokenAgentAuth } from '../sync/agent-auth-token.js';

/** Key of the API token in `apiTokenSecret`. */
export const API_TOKEN_SECRET_KEY = 'token';
/** Key of the record key in `recordKeySecret`. */
export const RECORD_KEY_SECRET_KEY = 'record-key';
/** Bytes of every generated secret. */
const RANDOM_SECRET_BYTES = 32;
/** The shortest agent token accepted, as for the API token: a short one is guessable. */
const MIN_AGENT_TOKEN_LENGTH = 16;

/** Thrown for configuration a person must fix (exit 2); anything else is a failure to start (exit 1). */
export class CredentialConfigError extends Error {}

/** Labels on the Secrets the controller creates, so `kubectl get secret -l` finds them. */
const CREATED_BY = { 'app.kubernetes.io/managed-by': 'sluice-controller' };

/**
 * Ensures the runtime Secrets in the controller's namespace (created with 32 random bytes when absent,
 * read otherwise; replicas converge on the first writer's value) and returns the API token from
 * `apiTokenSecret` when the environment gives none. The record key is 32 random bytes; the API token
 * is 32 random bytes as base64url text, so it can be pasted into a header as is.
 */
export async function ensureControllerSecrets(options: {
  readonly config: ControllerConfig;
  readonly kubeConfig: KubeConfig | undefined;
  readonly namespace: string;
  readonly envToken: string | undefined;
  readonly log: (message: string) => void;
}): Promise<string | undefined> {
  const { config, kubeConfig, namespace, envToken, log } = options;
  if (config.apiTokenSecret === undefined && config.recordKeySecret === undefined) return envToken;
  if (kubeConfig === undefined)
    throw new CredentialConfigError('apiTokenSecret and recordKeySecret need the Kubernetes API');
  const { KubernetesSecretStore } = await import('../kubernetes/secret-store-kubernetes.js');
  const store = new KubernetesSecretStore({ kubeConfig, namespace, labels: CREATED_BY });
  const ensure = async (name: string, key: string, generate: () => Buffer) => {
    const result = await ensureRuntimeSecret({ store, name, key, generate });
    log(`sluice-controller: Secret ${namespace}/${name} ${result.created ? 'created' : 'read'} (key ${key})`);
    return result.value;
  };
  // Agents read the record key as bytes.
  if (config.recordKeySecret !== undefined)
    await ensure(config.recordKeySecret, RECORD_KEY_SECRET_KEY, () => randomBytes(RANDOM_SECRET_BYTES));
  if (config.apiTokenSecret === undefined) return envToken;
  if (envToken !== undefined) {
    log(
      `sluice-controller: SLUICE_CONTROLLER_API_TOKEN is set; apiTokenSecret ${config.apiTokenSecret} is not used`,
    );
    return envToken;
  }
  // Stored as text (base64url of the random bytes), so `base64 -d` of the Secret's data is the header value.
  const value = await ensure(config.apiTokenSecret, API_TOKEN_SECRET_KEY, () =>
    Buffer.from(randomBytes(RANDOM_SECRET_BYTES).toString('base64url'), 'utf8'),
  );
  const text = value.toString('utf8').trim();
  if (text.length < 16)
    throw new CredentialConfigError(
      `Secret ${config.apiTokenSecret}: the token must be at least 16 characters`,
    );
  return text;
}

/** The AgentSync authenticator the config asks for; reads and checks the token file once at start. */
export async function agentAuthenticator(options: {
  readonly config: ControllerConfig;
  readonly kubeConfig: KubeConfig | undefined;
  readonly clock: Clock;
}): Promise<AgentAuthenticator> {
  const { config, kubeConfig, clock } = options;
  switch (resolveAgentAuth(config)) {
    case 'none':
      return NO_AGENT_AUTH;
    case 'token': {
      const file = config.agentTokenFile ?? '';
      const readToken = () => readFile(file, 'utf8');
      let token: string;
      try {
        token = (await readToken()).trim();
      } catch (error) {
        throw new CredentialConfigError(
          `agentTokenFile: ${JSON.stringify(file)} cannot be read: ${(error as Error).message}`,
        );
      }
      if (token.length < MIN_AGENT_TOKEN_LENGTH)
        throw new CredentialConfigError(
          `agentTokenFile: ${JSON.stringify(file)} holds ${token.length} characters; at least ${MIN_AGENT_TOKEN_LENGTH} are required (a short token is guessable)`,
        );
      return new TokenAgentAuth({ readToken });
    }
    case 'kubernetes': {
      if (kubeConfig === undefined)
        throw new CredentialConfigError('agentAuth kubernetes needs the Kubernetes API');
      const [{ KubernetesAgentAuth }, { KubernetesTokenReviewer }] = await Promise.all([
        import('../sync/agent-auth-kubernetes.js'),
        import('../kubernetes/token-reviewer-kubernetes.js'),
      ]);
      return new KubernetesAgentAuth({
        reviewer: new KubernetesTokenReviewer({ kubeConfig }),
        serviceAccount: config.agentServiceAccount ?? '',
        audience: AGENT_TOKEN_AUDIENCE,
        now: () => clock.wallNow(),
      });
    }
  }
}
