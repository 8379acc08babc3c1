export { TenantGateways, type TenantGatewaysProps, TENANT_GATEWAYS_CHART } from './tenant-gateways.js';
export { TENANT_GATEWAYS_CHART_DEFINITION } from '../../chart/tenant-gateways-chart.js';
