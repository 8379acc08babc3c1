import { readFileSync } from 'node:fs';
import { Metadata } from '@grpc/grpc-js';
import type { AgentLogger } from '../logging/agent-logger.js';

/**
 * The credential the agent presents on every AgentSync Connect, read from `controllerTokenFile` at each
 * attempt: kubelet rewrites a projected service-account token before it expires, so a token read once at
 * start would stop working within the hour. An unreadable or empty file is logged and the Connect goes
 * out without a credential (the controller then refuses it, and the link backs off and tries again).
 */
export function controllerTokenReader(file: string, logger: AgentLogger): () => string | undefined {
  return () => {
    try {
      const token = readFileSync(file, 'utf8').trim();
      if (token !== '') return token;
      logger.log('error', 'controller token file is empty', { file });
    } catch (error) {
      logger.log('error', 'controller token file cannot be read', { file, error: (error as Error).message });
    }
    return undefined;
  };
}

/** Call metadata carrying `authorization: Bearer <token>`, or none without a token. */
export function controllerCallMetadata(token: string | undefined): Metadata {
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}
