/**
 * Size limits of the AgentSync stream, shared by both ends so they match: the controller's server
 * receives at most this, and the agent's channel sends at most this. A message past a gRPC limit ends
 * the whole stream (RESOURCE_EXHAUSTED), so the agent splits a report that would not fit into several
 * messages (and drops, counted, a single entry that could not fit any message) instead of sending it.
 */

/** Largest AgentSync message either side sends or accepts: 4 MiB, gRPC's default receive limit. */
export const SYNC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
