export {
  IstioConfig,
  type IstioConfigProps,
  ISTIO_CONFIG_CHART,
  DEFAULT_ISTIO_NAMESPACE,
} from './istio-config.js';
export { ISTIO_CONFIG_CHART_DEFINITION } from '../../chart/istio-config-chart.js';
export {
  exactBalancePodAnnotations,
  type ExactBalanceAnnotationOptions,
  INBOUND_EXACT_BALANCE_VARIABLE,
  OUTBOUND_EXACT_BALANCE_VARIABLE,
} from './exact-balance.js';
export { meshConfigExtensionProviders, type MeshConfigExtensionProviders } from './extension-providers.js';
export { ACCESS_LOG_ATTRIBUTES } from './ext-authz-envoy-filter.js';
export { ValuesRefusedError } from '../../template/chart-guards.js';
