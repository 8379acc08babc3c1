/**
 * `@sluice/spec`: the FlowPolicy language and its compiler, the agent and controller configs, chart
 * values, blueprints and the schema exporters. Pure data and functions: importing this entry loads no
 * gRPC or protobuf code (a test holds it to that). Proto files, their loaders, the AgentSync service
 * and the Envoy config check are at `@sluice/spec/protos` (`protos.ts`).
 *
 * Every name is listed here on purpose: what is not listed is internal to the package.
 */
import type * as syncV1 from './proto/sync-messages.js';

// Durations, validation issues and "did you mean".
export { closestName, didYouMean, editDistance } from './closest-name.js';
export { DURATION_PATTERN, durationMs, durationSchema } from './duration.js';
export { knownKeysAt } from './schema-keys.js';
export {
  formatIssue,
  formatPath,
  parseWith,
  SpecValidationError,
  toSpecIssues,
  type ParseResult,
  type SpecIssue,
} from './spec-issues.js';

// FlowPolicy, the custom resource.
export {
  CONTROL_POINT_PATTERN,
  CONTROL_POINT_RULE,
  isValidControlPoint,
  isValidServiceName,
  SERVICE_NAME_PATTERN,
} from './flow-policy/flow-names.js';
export { LabelMatcherSchema, type LabelMatcher } from './flow-policy/label-matcher.js';
export type { Selector } from './flow-policy/selector.js';
export { classifierRuleTelemetry } from './flow-policy/classifier.js';
export { DEFAULT_FLUX_METER_BUCKETS_MS } from './flow-policy/flux-meter.js';
export type { LoadScheduler } from './flow-policy/load-scheduler.js';
export {
  FLOW_POLICY_CRD,
  FlowPolicySchema,
  FlowPolicySpecSchema,
  parseFlowPolicy,
  parseFlowPolicyOrThrow,
  type FlowPolicy,
  type FlowPolicyInput,
  type FlowPolicySpec,
  type FlowPolicySpecInput,
} from './flow-policy/flow-policy.js';

// Compilation: policy file → FlowPolicy → components for agents and control loops for the controller.
export { decodePolicyFile, type DocumentResult } from './compile/policy-document.js';
export {
  compileFlowPolicy,
  type AverageLatencyLoopConfig,
  type CompiledPolicy,
  type CompileResult,
} from './compile/compile-policy.js';
export {
  CompiledComponentSchema,
  type CompiledClassifier,
  type CompiledComponent,
  type CompiledComponentKind,
  type CompiledFluxMeter,
  type CompiledLoadScheduler,
  type CompiledRateLimiter,
  type CompiledWorkload,
} from './compiled/compiled-component.js';

// AgentSync message shapes and limits (types and constants only; the service is in `./protos`).
export { SYNC_MAX_MESSAGE_BYTES } from './proto/sync-limits.js';
export { FLUX_METER_LABELS, type AgentMessage, type ControllerMessage } from './proto/sync-messages.js';
/**
 * Every sync.proto message shape, namespaced as `syncV1.Report`, `syncV1.LoadDecision`, ...: names such
 * as `CompiledComponent` or `ControlPoint` also exist as schema types above. Types only: one name for
 * the hand-written mirror of sync.proto, every shape of which is public by definition.
 */
export type { syncV1 };

// Agent and controller config.
export { AgentConfigSchema, type AgentConfig, type AgentConfigInput } from './config/agent-config.js';
export {
  AGENT_TOKEN_AUDIENCE,
  ControllerConfigSchema,
  resolveAgentAuth,
  type AgentAuthMode,
  type ControllerConfig,
  type ControllerConfigInput,
} from './config/controller-config.js';
export { loadConfig, type ConfigSources } from './config/config-loader.js';

// Blueprints and Aperture migration.
export {
  averageLatencyPolicy,
  AverageLatencyBlueprintValuesSchema,
  BLUEPRINT_NAMES,
  rateLimitPolicy,
  RateLimitBlueprintValuesSchema,
  type AverageLatencyBlueprintValues,
  type BlueprintName,
  type RateLimitBlueprintValues,
} from './blueprints/sluice-blueprints.js';
export {
  APERTURE_REQUIRED_PLACEHOLDER,
  componentKind,
  convertApertureValues,
  convertApertureValuesFile,
  SLUICE_BUCKET_IDLE_MS,
  type ApertureConversion,
  type ApertureConversionOptions,
  type ApertureWarning,
} from './blueprints/aperture-converter.js';
export {
  APERTURE_BLUEPRINT_NAMES,
  isSupportedBlueprint,
  resolveApertureBlueprint,
  unsupportedBlueprintIssue,
} from './blueprints/aperture-blueprints.js';
export { convertAperturePolicy } from './blueprints/aperture-policy.js';

// Chart values.
export { AgentValuesSchema, type AgentValues, type AgentValuesInput } from './values/agent-values.js';
export {
  ControllerValuesSchema,
  type ControllerValues,
  type ControllerValuesInput,
} from './values/controller-values.js';
export {
  SLUICE_CHART_FACTS,
  SluiceChartValuesSchema,
  SluiceCrdsChartValuesSchema,
  type SluiceChartValues,
  type SluiceChartValuesInput,
  type SluiceCrdsChartValues,
  type SluiceCrdsChartValuesInput,
} from './values/sluice-chart-values.js';
export {
  AGENT_NAMESPACE_MTLS_REFUSAL,
  duplicateNamespaceRefusal,
  EMPTY_MTLS_NAMESPACES_REFUSAL,
  CUSTOM_POLICY_SELECTOR_REFUSAL,
  MESH_CONFIG_UNCONFIRMED_REFUSAL,
  REQUEST_BODY_PROVIDER_REFUSAL,
  REQUEST_BODY_SCOPE_REFUSAL,
  GATEWAY_WIDE_EXACT_BALANCE_REFUSAL,
  gatewayNamespaceExactBalanceRefusal,
  IstioConfigValuesSchema,
  VIRTUAL_OUTBOUND_REFUSAL,
  type IstioConfigValues,
  type IstioConfigValuesInput,
} from './values/istio-config-values.js';
export {
  ACME_KEY_ALGORITHMS,
  crossNamespaceBackendMessage,
  duplicateHostMessage,
  duplicateTenantMessage,
  ED25519_WITH_ACME,
  HTTP01_NEEDS_GATEWAY_API,
  ISSUER_KINDS,
  MISSING_ACME_EMAIL,
  PRIVATE_KEY_ALGORITHMS,
  TenantGatewaysValuesSchema,
  TenantSchema,
  wildcardHttp01Message,
  type TenantGatewaysValues,
  type TenantGatewaysValuesInput,
  type TenantValues,
} from './values/tenant-gateways-values.js';
export { MonitoringValuesSchema, type MonitoringValues } from './values/monitoring-values.js';
export { NetworkPolicyValuesSchema, type NetworkPolicyValues } from './values/network-policy-values.js';

// Schema export: JSON Schema for Helm, structural schemas for CRDs.
export { toJsonSchema, type JsonSchemaOptions } from './export/json-schema.js';
export {
  StructuralSchemaError,
  toStructuralSchema,
  type StructuralSchemaOptions,
} from './export/crd-schema.js';
export { checkStructural } from './export/structural-check.js';
export {
  STRUCTURAL_RULES,
  type StructuralRule,
  type StructuralViolation,
} from './export/structural-rules.js';
export { assertRe2Pattern, findRe2Problems, Re2PatternError, type Re2Problem } from './export/re2-pattern.js';
export type { SchemaNode } from './export/schema-path.js';
