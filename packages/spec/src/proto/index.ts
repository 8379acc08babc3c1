/** Protos: include path, the shared loader, and the typed AgentSync contract. */
export * from './proto-paths.js';
export * from './proto-loader.js';
export * from './sync-service.js';
export * from './sync-refusal.js';
export * from './sync-limits.js';
/**
 * Every sync.proto message shape, namespaced as `syncV1.Report`,
 * `syncV1.LoadDecision`, ...: names such as `CompiledComponent` or
 * `ControlPoint` also exist as schema types elsewhere in this package.
 */
export * as syncV1 from './sync-messages.js';
/** The two stream message unions and the flux-meter label keys, also at top level. */
export { FLUX_METER_LABELS, type AgentMessage, type ControllerMessage } from './sync-messages.js';
export * from './sync-limits.js';
