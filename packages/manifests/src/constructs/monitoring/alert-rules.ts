/**
 * The alerts an operator needs from Sluice. Metric names are the agent's and controller's (see their
 * READMEs); ext_authz fail-opens come from Envoy's own `failure_mode_allowed` stat (Istio exports it when
 * proxyStatsMatcher includes `ext_authz`) or from sluice-proxy.
 */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'warning' | 'critical' };
  readonly annotations: { readonly summary: string; readonly description: string };
}

export const SLUICE_ALERT_RULES: readonly AlertRule[] = [
  {
    alert: 'SluiceThrottling',
    expr: 'max by (policy_name, component_id) (sluice_controller_load_multiplier < 1 and on (policy_name, component_id) sluice_controller_pass_through == 0)',
    for: '2m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Sluice is shedding load for {{ $labels.policy_name }}/{{ $labels.component_id }}',
      description:
        'The load multiplier has been below 1 for 2 minutes: latency is above the setpoint and low-priority requests get 503.',
    },
  },
  {
    alert: 'SluiceThrottleReleased',
    expr: 'increase(sluice_controller_throttle_releases_total[15m]) > 0',
    for: '0m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'A Sluice throttle on {{ $labels.policy_name }} did not improve latency and was released',
      description:
        'Shedding did not bring latency down (a slow dependency rather than overload?); the scheduler passes everything through while it cools down.',
    },
  },
  {
    alert: 'SluicePolicyInvalid',
    expr: 'max(sluice_controller_policies{status="Invalid"}) > 0',
    for: '5m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'A FlowPolicy is Invalid',
      description:
        'The last good version keeps running. `kubectl get flowpolicies` or `sluicectl policy list` shows the path-precise message.',
    },
  },
  {
    alert: 'SluiceAgentsDisconnected',
    expr: 'max by (pod) (sluice_agent_controller_connected == 0) or max(sluice_controller_connected_agents) == 0',
    for: '5m',
    labels: { severity: 'critical' },
    annotations: {
      summary: 'Sluice agents are not connected to the controller',
      description:
        'Without the controller, agents keep decisions until their time-to-live and then admit everything: no protection.',
    },
  },
  {
    alert: 'SluiceExtAuthzFailOpen',
    expr: 'sum(rate(envoy_http_ext_authz_failure_mode_allowed[5m])) > 0 or sum(rate(sluice_proxy_ext_authz_failure_mode_allowed_total[5m])) > 0',
    for: '5m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Envoy lets requests through because ext_authz calls to the Sluice agent fail',
      description:
        'Requests are admitted unchecked (failure_mode_allow). Check the node agent pods and the ext_authz timeout.',
    },
  },
];
