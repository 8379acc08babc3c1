export * from './chart-values-common.js';
export * from './agent-values.js';
export * from './controller-values.js';
export * from './sluice-chart-values.js';
export * from './istio-config-values.js';
export * from './tenant-gateways-values.js';
export * from './monitoring-values.js';
export * from './network-policy-values.js';
