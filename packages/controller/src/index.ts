// Public surface of @sluice/controller. `sluicectl` uses the compile function to validate offline
// with exactly the rules the controller applies.
export { compileFlowPolicy, compileParsedPolicy, signalFluxMeterName } from './compile/compile-policy.js';
export type { AverageLatencyLoopConfig, CompiledPolicy, CompileResult } from './compile/compile-policy.js';
export { canonicalJson, policyHash, POLICY_HASH_HEX_LENGTH } from './compile/policy-hash.js';
export { PolicyRegistry } from './policies/policy-registry.js';
export type { PolicyEntry, PolicyStatus, RegistryChange } from './policies/policy-registry.js';
export { AverageLatencyLoop } from './control/average-latency-loop.js';
export { CAPACITY_DRAIN_FRACTION } from './control/capacity-estimate.js';
export type { LoopState } from './control/loop-state.js';
export type { LoadDecision, LoopStatus, TickResult } from './control/loop-status.js';
export { additiveIncrease, gradientCut, isPassThrough } from './control/aimd-step.js';
export { BaselineStateSchema, LatencyBaseline } from './control/latency-baseline.js';
export type { BaselineState } from './control/latency-baseline.js';
export { ControlLoops, loopKey } from './control/control-loops.js';
export { sampleForLoop } from './control/report-sample.js';
export type { TickSample } from './control/tick-sample.js';
export type { Clock } from './clock/clock.js';
export { systemClock } from './clock/clock.js';
export type { BaselineStore } from './state/baseline-store.js';
export { MemoryBaselineStore } from './state/baseline-store.js';
export { FileBaselineStore } from './state/baseline-store-file.js';
export { FilePolicySource } from './sources/file-policy-source.js';
export { decodePolicyFile } from './sources/policy-document.js';
export { KubernetesPolicySource } from './sources/kubernetes-policy-source.js';
export { AgentDirectory } from './sync/agent-directory.js';
export type { AgentView, ControlPointView } from './sync/agent-directory.js';
export { AgentSyncServer } from './sync/agent-sync-server.js';
export type { PreviewAnswer, PreviewQuery } from './sync/preview-request.js';
export { HttpApi } from './api/http-api.js';
export { ProbeServer } from './api/probe-server.js';
export { BearerTokenCheck } from './api/bearer-token.js';
export { HostAllowList } from './api/host-allow-list.js';
export type { AgentAuthenticator, AgentAuthVerdict, AgentPrincipal } from './sync/agent-auth.js';
export { NO_AGENT_AUTH } from './sync/agent-auth.js';
export { TokenAgentAuth } from './sync/agent-auth-token.js';
export { KubernetesAgentAuth } from './sync/agent-auth-kubernetes.js';
export type { TokenReviewer, TokenReviewResult } from './sync/agent-auth-kubernetes.js';
export { ensureRuntimeSecret } from './kubernetes/runtime-secret.js';
export type { SecretStore } from './kubernetes/runtime-secret.js';
export { ControllerMetrics } from './metrics/controller-metrics.js';
export { Controller } from './controller.js';
export type { ControllerOptions, ControllerRole } from './controller.js';
export { GatedBaselineStore } from './state/baseline-store-gated.js';
export {
  LeaseElection,
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
} from './leader-election/lease-election.js';
export type {
  ElectionState,
  ElectionStep,
  ElectionTransition,
  LeaseElectionOptions,
  LeaseRequest,
  LeaseResponse,
  TransitionReason,
} from './leader-election/lease-election.js';
export { microTime } from './leader-election/lease-client.js';
export type { LeaseClient, LeaseOutcome, LeaseSpec, ObservedLease } from './leader-election/lease-client.js';
export { LeaderElector } from './leader-election/leader-elector.js';
export type { LeaderElectorOptions } from './leader-election/leader-elector.js';
export { KubernetesLeaseClient } from './leader-election/lease-client-kubernetes.js';
export { runController, EXIT } from './daemon/run-controller.js';
