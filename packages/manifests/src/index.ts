/**
 * @sluice/manifests: Sluice's constructs on the values-expression layer, and the chart generator.
 * Everything public is exported here by name; the folders under src/ have no barrels of their own.
 */

// The constructs and their props.
export { SluicePlatform, type SluicePlatformProps } from './constructs/platform/sluice-platform.js';
export {
  agentSidecarContainer,
  SluiceAgent,
  type SluiceAgentProps,
} from './constructs/agent/sluice-agent.js';
export {
  AgentBinding,
  agentControllerAddress,
  type AgentControllerOptions,
} from './constructs/agent/agent-binding.js';
export { SluiceController, type SluiceControllerProps } from './constructs/controller/sluice-controller.js';
export { CONTROLLER_PEERS_COMPONENT } from './constructs/controller/controller-binding.js';
export {
  SluiceCrds,
  SLUICE_CRDS_CHART,
  flowPolicyOpenApiSchema,
  type SluiceCrdsProps,
} from './constructs/crds/sluice-crds.js';
export {
  SluiceNetworkPolicies,
  type ProtectedComponent,
  type SluiceNetworkPoliciesBinding,
} from './constructs/network-policies/sluice-network-policies.js';
export {
  DEFAULT_ISTIO_NAMESPACE,
  IstioConfig,
  ISTIO_CONFIG_CHART,
  istioConfigMeshConfig,
  type IstioConfigProps,
} from './constructs/istio/istio-config.js';
export {
  exactBalancePodAnnotations,
  INBOUND_EXACT_BALANCE_VARIABLE,
  OUTBOUND_EXACT_BALANCE_VARIABLE,
  type ExactBalanceAnnotationOptions,
} from './constructs/istio/exact-balance.js';
export {
  meshConfigExtensionProviders,
  type MeshConfigExtensionProviders,
} from './constructs/istio/extension-providers.js';
export { ACCESS_LOG_ATTRIBUTES } from './constructs/istio/ext-authz-envoy-filter.js';
export {
  TenantGateways,
  TENANT_GATEWAYS_CHART,
  type TenantGatewaysProps,
} from './constructs/tenants/tenant-gateways.js';
export { DEFAULT_POLICY_NAMESPACE, FlowPolicyResource } from './constructs/policies/flow-policy-resource.js';
export {
  headerClassifier,
  type ClassifierInput,
  type HeaderClassifierOptions,
} from './constructs/policies/classifiers.js';
export {
  AverageLatencyPolicy,
  type AverageLatencyPolicyProps,
  type PrioritisedWorkload,
} from './constructs/policies/average-latency-policy.js';
export { RateLimitPolicy, type RateLimitPolicyProps } from './constructs/policies/rate-limit-policy.js';
export {
  ApertureMigratedPolicy,
  type ApertureMigratedPolicyProps,
} from './constructs/policies/aperture-migrated-policy.js';

// The values types behind the props (the schemas themselves are `@sluice/spec`'s), and the errors the
// constructs throw for bad props.
export type {
  AgentValues,
  AgentValuesInput,
  ControllerValues,
  ControllerValuesInput,
  FlowPolicyInput,
  FlowPolicySpecInput,
  IstioConfigValues,
  IstioConfigValuesInput,
  MonitoringValues,
  NetworkPolicyValues,
  SluiceChartValues,
  SluiceChartValuesInput,
  SluiceCrdsChartValues,
  SluiceCrdsChartValuesInput,
  TenantGatewaysValues,
  TenantGatewaysValuesInput,
  TenantValues,
} from '@sluice/spec';
export { SpecValidationError } from '@sluice/spec';
export { ValuesRefusedError } from './template/chart-guards.js';

// What constructs are built on: release props, bindings and one object for both renderers.
export {
  ComponentBinding,
  DEFAULT_NAMESPACE,
  DEFAULT_RELEASE,
  SLUICE_CHART,
  type ComponentBindingOptions,
  type ReleaseProps,
} from './constructs/component-binding.js';
export {
  SluiceObject,
  type SluiceObjectListProps,
  type SluiceObjectProps,
} from './constructs/sluice-object.js';

// The values-expression layer (README: "The values-expression layer").
export {
  and,
  chartAppVersion,
  chartName,
  concat,
  contains,
  defaultTo,
  eq,
  Expr,
  greaterThan,
  include,
  lift,
  literal,
  not,
  or,
  quote,
  releaseName,
  releaseNamespace,
  sha256,
  ternary,
  toJson,
  trimSuffix,
  truncate,
  value,
  type ChartInfo,
  type EvalContext,
  type ReleaseInfo,
  type Valued,
} from './template/expr.js';
export {
  each,
  evaluateTree,
  textLines,
  when,
  yamlOf,
  type TextLines,
  type Tree,
  type TreeObject,
} from './template/template-tree.js';
export { literalView, valuesView, type View } from './template/values-view.js';
export { HelmNames, type NameOverrides } from './template/helm-names.js';

// Chart generation.
export {
  generateChart,
  REGENERATE_COMMAND,
  type ChartDefinition,
  type ChartFiles,
} from './chart/chart-generator.js';
export { CHART_DEFINITIONS, SLUICE_CHART_DEFINITION, SLUICE_CRDS_CHART_DEFINITION } from './chart/charts.js';
export { ISTIO_CONFIG_CHART_DEFINITION } from './chart/istio-config-chart.js';
export { TENANT_GATEWAYS_CHART_DEFINITION } from './chart/tenant-gateways-chart.js';
export { generatedCharts, writeCharts } from './chart/chart-writer.js';
export {
  renderValuesTable,
  renderValuesYaml,
  valuesKeys,
  type ValuesKey,
} from './chart/values-documentation.js';

// GitOps output (`sluicectl synth`).
export {
  defineSluiceConfig,
  SluiceConfigSchema,
  type SluiceConfig,
  type SluiceConfigInput,
} from './gitops/sluice-config.js';
export type { GitOpsComponent, KubernetesObject } from './gitops/gitops-component.js';
export { componentsOfApp, synthesizeConfig } from './gitops/component-synthesis.js';
export { roleOfObjects, ROLE_WAVES, type ComponentRole } from './gitops/component-roles.js';
export { namespacesComponent, namespacesNeeded } from './gitops/namespaces-component.js';
export {
  ARGOCD_NAMESPACE,
  ARGOCD_PROJECT,
  FLUX_NAMESPACE,
  FLUX_SOURCE_NAME,
  syncObjectName,
  type GitOpsOptions,
} from './gitops/gitops-options.js';
export {
  APP_OF_APPS_NAME,
  APPLICATION_HEALTH_KEY,
  APPLICATION_HEALTH_LUA,
  argoCdApplication,
  argoCdApplicationHealthPatch,
  argoCdAppOfApps,
} from './gitops/argocd-applications.js';
export { fluxGitRepository, fluxHelmRelease, fluxKustomization } from './gitops/flux-resources.js';
export { gitOpsFiles, writeGitOpsFiles, type GitOpsFiles } from './gitops/gitops-writer.js';
export { GitOpsInputError } from './gitops/output-paths.js';
