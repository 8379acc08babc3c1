/** @sluice/manifests: Sluice's constructs on the values-expression layer, and the chart generator. */
export * from './expr.js';
export * from './template-tree.js';
export { renderObject, renderTextBlock, yamlScalar } from './go-template-renderer.js';
export { literalView, valuesView, type View } from './values-view.js';
export { HelmNames, type NameOverrides } from './helm-names.js';
export {
  ComponentBinding,
  DEFAULT_NAMESPACE,
  DEFAULT_RELEASE,
  SLUICE_CHART,
  type ReleaseProps,
} from './component-binding.js';
export { SluiceObject, type SluiceObjectListProps, type SluiceObjectProps } from './sluice-object.js';
export {
  AgentBinding,
  agentControllerAddress,
  agentSidecarContainer,
  SluiceAgent,
  type AgentControllerOptions,
  type SluiceAgentProps,
} from './sluice-agent.js';
export {
  CONTROLLER_PEERS_COMPONENT,
  SluiceController,
  type SluiceControllerProps,
} from './sluice-controller.js';
export {
  SluiceCrds,
  SLUICE_CRDS_CHART,
  flowPolicyOpenApiSchema,
  type SluiceCrdsProps,
} from './sluice-crds.js';
export { SluicePlatform, type SluicePlatformProps } from './sluice-platform.js';
export {
  SluiceNetworkPolicies,
  type ProtectedComponent,
  type SluiceNetworkPoliciesBinding,
} from './sluice-network-policies.js';
export * from './security/pod-security-standards.js';
export {
  generateChart,
  REGENERATE_COMMAND,
  type ChartDefinition,
  type ChartFiles,
} from './chart-generator.js';
export { CHART_DEFINITIONS, SLUICE_CHART_DEFINITION, SLUICE_CRDS_CHART_DEFINITION } from './charts.js';
export { renderValuesTable, renderValuesYaml, valuesKeys, type ValuesKey } from './values-documentation.js';
// The chart values schemas live in @sluice/spec; re-exported so typed users need one import.
export * from './spec-values.js';
export * from './gitops/index.js';
export * from './istio/index.js';
export * from './tenants/index.js';
export * from './policies/index.js';
export { writeCharts, generatedCharts } from './chart-writer.js';
