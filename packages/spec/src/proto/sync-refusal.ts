/**
 * How a controller replica that is not the leader refuses `AgentSync.Connect`, and how an agent
 * recognises it. Both sides read this one definition: the controller builds the status with
 * {@link notLeaderStatus}, the agent reads a stream's error with {@link notLeaderRefusal} and retries
 * another replica soon instead of backing off as after a failure.
 */
import { Metadata, status } from '@grpc/grpc-js';

/** Trailing metadata on a not-leader refusal, with the value `1`. */
export const NOT_LEADER_METADATA_KEY = 'sluice-not-leader';
/** Trailing metadata naming the leader (its pod name), when the refusing replica knows it. */
export const LEADER_METADATA_KEY = 'sluice-leader';
/** Every not-leader refusal's status message starts so, for peers that read no trailers. */
export const NOT_LEADER_MESSAGE_PREFIX = 'not the leader';

/** The status a follower ends a Connect with, as grpc-js' `call.emit('error', …)` takes it. */
export interface NotLeaderStatus {
  readonly code: status.UNAVAILABLE;
  readonly details: string;
  readonly metadata: Metadata;
}

/**
 * The refusal a follower answers every Connect with: UNAVAILABLE, a message starting with
 * {@link NOT_LEADER_MESSAGE_PREFIX}, and trailers `sluice-not-leader: 1` plus `sluice-leader: <leader>`
 * when `leader` is known.
 */
export function notLeaderStatus(leader: string | undefined): NotLeaderStatus {
  const metadata = new Metadata();
  metadata.set(NOT_LEADER_METADATA_KEY, '1');
  if (leader !== undefined) metadata.set(LEADER_METADATA_KEY, leader);
  return {
    code: status.UNAVAILABLE,
    details: `${NOT_LEADER_MESSAGE_PREFIX}; ${
      leader !== undefined ? `the leader is ${leader}` : 'no leader is known yet'
    }: connect to another replica`,
    metadata,
  };
}

/** What an agent learns from a not-leader refusal. */
export interface NotLeaderRefusal {
  /** The leader the refusing replica named, if any. */
  readonly leader: string | undefined;
}

/**
 * Reads a Connect stream's error: the refusal of a replica that is not the leader (UNAVAILABLE with the
 * `sluice-not-leader: 1` trailer, or with the message prefix when trailers were lost), or `undefined`
 * for any other end of the stream.
 */
export function notLeaderRefusal(error: {
  readonly code?: number;
  readonly details?: string;
  readonly metadata?: Metadata;
}): NotLeaderRefusal | undefined {
  if (error.code !== status.UNAVAILABLE) return undefined;
  const flagged = error.metadata?.get(NOT_LEADER_METADATA_KEY)[0] === '1';
  if (!flagged && !(error.details ?? '').startsWith(NOT_LEADER_MESSAGE_PREFIX)) return undefined;
  const leader = error.metadata?.get(LEADER_METADATA_KEY)[0];
  return { leader: typeof leader === 'string' && leader !== '' ? leader : undefined };
}
