import { Construct } from 'constructs';
import { type Expr, type EvalContext, releaseName } from '../../template/expr.js';
import type { HelmNames } from '../../template/helm-names.js';
import { SluiceObject } from '../sluice-object.js';
import type { MonitoringValues } from '@sluice/spec';
import type { View } from '../../template/values-view.js';
import { SLUICE_ALERT_RULES } from './alert-rules.js';
import { sluiceDashboard } from './grafana-dashboard.js';

const SOURCE = 'packages/manifests/src/constructs/monitoring/sluice-monitoring.ts';
const COMPONENT = 'monitoring';

export interface SluiceMonitoringBinding {
  readonly view: View<MonitoringValues>;
  readonly names: HelmNames;
  readonly namespace: Expr<string>;
  readonly context: EvalContext | undefined;
}

/**
 * Optional operator integration of the `sluice` chart: a ServiceMonitor scraping both Services' `http`
 * port, a PrometheusRule with Sluice's alerts, and the Grafana dashboard as a sidecar-discovered ConfigMap.
 */
export class SluiceMonitoring extends Construct {
  readonly objects: readonly SluiceObject[];

  constructor(scope: Construct, id: string, binding: SluiceMonitoringBinding) {
    super(scope, id);
    const { view, names, namespace, context } = binding;
    const name = names.component(COMPONENT);
    const labels = names.labels(COMPONENT);
    const metadata = { name, namespace, labels };
    const serviceMonitor = new SluiceObject(this, 'ServiceMonitor', {
      source: SOURCE,
      context,
      file: 'monitoring-servicemonitor.yaml',
      when: view.serviceMonitor.enabled.$,
      tree: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata,
        spec: {
          // Both the agent and the controller Service carry these labels and a port named http.
          selector: {
            matchLabels: { 'app.kubernetes.io/instance': releaseName, 'app.kubernetes.io/part-of': 'sluice' },
          },
          namespaceSelector: { matchNames: [namespace] },
          endpoints: [{ port: 'http', path: '/metrics', interval: view.serviceMonitor.interval.$ }],
        },
      },
    });
    const prometheusRule = new SluiceObject(this, 'PrometheusRule', {
      source: SOURCE,
      context,
      file: 'monitoring-prometheusrule.yaml',
      when: view.prometheusRule.enabled.$,
      tree: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata,
        spec: {
          groups: [
            {
              name: 'sluice',
              rules: SLUICE_ALERT_RULES.map((rule) => ({
                ...rule,
                labels: { ...rule.labels },
                annotations: { ...rule.annotations },
              })),
            },
          ],
        },
      },
    });
    const dashboard = new SluiceObject(this, 'GrafanaDashboard', {
      source: SOURCE,
      context,
      file: 'monitoring-grafana-dashboard.yaml',
      when: view.grafanaDashboard.enabled.$,
      tree: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace, labels: { ...labels, grafana_dashboard: '1' } },
        data: { 'sluice-dashboard.json': JSON.stringify(sluiceDashboard(), null, 2) },
      },
    });
    this.objects = [serviceMonitor, prometheusRule, dashboard];
  }
}
