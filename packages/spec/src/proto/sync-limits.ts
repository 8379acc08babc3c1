/**
 * The one size limit of AgentSync messages, read by both ends: the controller's server receives at most
 * this much per message, and the agent's channel sends no more (reports that would not fit are split or
 * truncated by the agent, counted), so a big report never ends the stream.
 */
export const SYNC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
