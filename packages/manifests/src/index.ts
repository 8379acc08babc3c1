/** @sluice/manifests: Sluice's constructs on the values-expression layer, and the chart generator. */
export * from './template/expr.js';
export * from './template/template-tree.js';
export { renderObject, renderTextBlock, yamlScalar } from './template/go-template-renderer.js';
export { literalView, valuesView, type View } from './template/values-view.js';
export { HelmNames, type NameOverrides } from './template/helm-names.js';
export {
  ComponentBinding,
  DEFAULT_NAMESPACE,
  DEFAULT_RELEASE,
  SLUICE_CHART,
  type ReleaseProps,
} from './constructs/component-binding.js';
export { SluiceObject, type SluiceObjectListProps, type SluiceObjectProps } from './constructs/sluice-object.js';
export {
  AgentBinding,
  agentControllerAddress,
  agentSidecarContainer,
  SluiceAgent,
  type AgentControllerOptions,
  type SluiceAgentProps,
} from './constructs/agent/sluice-agent.js';
export {
  CONTROLLER_PEERS_COMPONENT,
  SluiceController,
  type SluiceControllerProps,
} from './constructs/controller/sluice-controller.js';
export {
  SluiceCrds,
  SLUICE_CRDS_CHART,
  flowPolicyOpenApiSchema,
  type SluiceCrdsProps,
} from './constructs/crds/sluice-crds.js';
export { SluicePlatform, type SluicePlatformProps } from './constructs/platform/sluice-platform.js';
export {
  SluiceNetworkPolicies,
  type ProtectedComponent,
  type SluiceNetworkPoliciesBinding,
} from './constructs/network-policies/sluice-network-policies.js';
export {
  generateChart,
  REGENERATE_COMMAND,
  type ChartDefinition,
  type ChartFiles,
} from './chart/chart-generator.js';
export { CHART_DEFINITIONS, SLUICE_CHART_DEFINITION, SLUICE_CRDS_CHART_DEFINITION } from './chart/charts.js';
export { renderValuesTable, renderValuesYaml, valuesKeys, type ValuesKey } from './chart/values-documentation.js';
// The chart values schemas live in @sluice/spec; re-exported so typed users need one import.
export * from './spec-values.js';
export * from './gitops/index.js';
export * from './constructs/istio/index.js';
export * from './constructs/tenants/index.js';
export * from './constructs/policies/index.js';
export { writeCharts, generatedCharts } from './chart/chart-writer.js';
