/**
 * The Sluice Grafana dashboard, built as data: one row of control-loop panels per policy, the agent's
 * decision path, and the health panels the alerts are about. Deterministic JSON (stable ids and order).
 */
interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly targets: readonly { readonly expr: string; readonly legendFormat: string }[];
}

const PANELS: readonly Panel[] = [
  {
    title: 'Load multiplier (1 = admit current load; pass-through at maxLoadMultiplier)',
    unit: 'none',
    targets: [
      { expr: 'sluice_controller_load_multiplier', legendFormat: '{{policy_name}}/{{component_id}}' },
    ],
  },
  {
    title: 'Signal and setpoint (mean OK latency)',
    unit: 'ms',
    targets: [
      { expr: 'sluice_controller_signal_ms', legendFormat: 'signal {{policy_name}}' },
      { expr: 'sluice_controller_setpoint_ms', legendFormat: 'setpoint {{policy_name}}' },
    ],
  },
  {
    title: 'Checks per second by decision',
    unit: 'reqps',
    targets: [
      { expr: 'sum by (decision) (rate(sluice_agent_checks_total[1m]))', legendFormat: '{{decision}}' },
    ],
  },
  {
    title: 'Check latency p99 (agent side)',
    unit: 's',
    targets: [
      {
        expr: 'histogram_quantile(0.99, sum by (le) (rate(sluice_agent_check_duration_seconds_bucket[5m])))',
        legendFormat: 'p99',
      },
    ],
  },
  {
    title: 'Agents connected',
    unit: 'none',
    targets: [{ expr: 'sluice_controller_connected_agents', legendFormat: 'agents' }],
  },
  {
    title: 'ext_authz fail-opens per second',
    unit: 'reqps',
    targets: [
      { expr: 'sum(rate(envoy_http_ext_authz_failure_mode_allowed[5m]))', legendFormat: 'envoy' },
      {
        expr: 'sum(rate(sluice_proxy_ext_authz_failure_mode_allowed_total[5m]))',
        legendFormat: 'sluice-proxy',
      },
    ],
  },
];

export function sluiceDashboard(): Record<string, unknown> {
  return {
    title: 'Sluice',
    uid: 'sluice-overview',
    schemaVersion: 39,
    editable: true,
    time: { from: 'now-1h', to: 'now' },
    refresh: '10s',
    tags: ['sluice'],
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus' }] },
    panels: PANELS.map((panel, index) => ({
      id: index + 1,
      type: 'timeseries',
      title: panel.title,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: panel.targets.map((target, ref) => ({ refId: String.fromCharCode(65 + ref), ...target })),
    })),
  };
}
