export { bin } from './component-bins.js';
export type { ComponentName } from './component-bins.js';
export { API_TOKEN, CONTROL_POINT, metricValue, Topology } from './topology.js';
export type {
  ControlLoopView,
  PolicyView,
  ProxyStats,
  TopologyOptions,
  UpstreamShape,
  UpstreamWindow,
} from './topology.js';
export { LoopRecorder } from './loop-recorder.js';
export type { LoopSample } from './loop-recorder.js';
export { averageLatencyPolicy, perUserRateLimitPolicy } from './policies.js';
