/** Public surface of @sluice/agent. */
export { Agent, type AgentOptions } from './agent.js';
export { parseAgentCommandLine, USAGE, UsageError, type CliRequest } from './config/agent-cli.js';
export { AgentMetrics } from './metrics/agent-metrics.js';
export { ComponentRegistry, type PolicyComponents } from './components/component-registry.js';
export {
  DECISION_METADATA_KEY,
  decodeDecisionRecord,
  type DecisionRecord,
  type DecisionRecordV1,
  type DecisionRecordV2,
} from './check/decision-record.js';
export type { RandomFill } from './record-key/random-byte-pool.js';
export type { BucketParameters } from './token-bucket/bucket-parameters.js';
export type {
  BucketStore,
  BucketTake,
  BucketTakeResult,
  DecisionSource,
} from './token-bucket/bucket-store.js';
export { LocalBucketStore } from './token-bucket/bucket-store-local.js';
export { RedisBucketStore } from './token-bucket/bucket-store-redis.js';
