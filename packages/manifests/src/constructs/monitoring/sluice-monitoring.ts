import type { MonitoringValues } from '@sluice/spec';
import { Construct } from 'constructs';
import { defaultTo, dict, type Expr, mergeMaps, releaseName } from '../../template/expr.js';
import { type TreeObject, yamlOf } from '../../template/template-tree.js';
import type { ComponentBinding, ComponentNames } from '../component-binding.js';
import { addSluiceObjects, type SluiceObject } from '../sluice-object.js';
import { SLUICE_ALERT_RULES } from './alert-rules.js';
import { sluiceDashboard } from './grafana-dashboard.js';

const SOURCE = 'packages/manifests/src/constructs/monitoring/sluice-monitoring.ts';
const COMPONENT = 'monitoring';

/**
 * Metadata of an operator object: the standard labels merged with the user's (the standard ones win, so
 * the chart's own labels stay what the chart says) and the namespace a Prometheus watches. A default
 * kube-prometheus-stack selects ServiceMonitors and PrometheusRules by `release: <its release>`
 * (prometheus-community/helm-charts, kube-prometheus-stack values.yaml, `*SelectorNilUsesHelmValues`), so
 * without these values it never scrapes Sluice.
 */
function operatorMetadata(
  binding: ComponentBinding<MonitoringValues>,
  names: ComponentNames,
  values: {
    readonly labels: { readonly $: Expr<unknown> };
    readonly namespace: { readonly $: Expr<unknown> };
  },
): TreeObject {
  return {
    name: names.name,
    namespace: defaultTo(values.namespace.$ as Expr<string | undefined>, binding.namespace),
    labels: yamlOf(
      mergeMaps(dict(names.labels), values.labels.$ as Expr<Readonly<Record<string, unknown>> | undefined>),
    ),
  };
}

function serviceMonitor(binding: ComponentBinding<MonitoringValues>, names: ComponentNames): TreeObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: operatorMetadata(binding, names, binding.values.serviceMonitor),
    spec: {
      // Both the agent and the controller Service carry these labels and a port named http.
      selector: {
        matchLabels: { 'app.kubernetes.io/instance': releaseName, 'app.kubernetes.io/part-of': 'sluice' },
      },
      // The Services are in the release namespace, wherever the ServiceMonitor is.
      namespaceSelector: { matchNames: [binding.namespace] },
      endpoints: [{ port: 'http', path: '/metrics', interval: binding.values.serviceMonitor.interval.$ }],
    },
  };
}

function prometheusRule(binding: ComponentBinding<MonitoringValues>, names: ComponentNames): TreeObject {
  const rules = SLUICE_ALERT_RULES.map((rule) => ({
    ...rule,
    labels: { ...rule.labels },
    annotations: { ...rule.annotations },
  }));
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: operatorMetadata(binding, names, binding.values.prometheusRule),
    spec: { groups: [{ name: 'sluice', rules }] },
  };
}

/** The dashboard as a ConfigMap the Grafana sidecar discovers by its `grafana_dashboard` label. */
function dashboardConfigMap(binding: ComponentBinding<MonitoringValues>, names: ComponentNames): TreeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: names.name,
      namespace: binding.namespace,
      labels: { ...names.labels, grafana_dashboard: '1' },
    },
    data: { 'sluice-dashboard.json': JSON.stringify(sluiceDashboard(), null, 2) },
  };
}

/**
 * Optional operator integration of the `sluice` chart: a ServiceMonitor scraping both Services' `http`
 * port, a PrometheusRule with Sluice's alerts, and the Grafana dashboard as a sidecar-discovered ConfigMap.
 */
export class SluiceMonitoring extends Construct {
  readonly objects: readonly SluiceObject[];

  constructor(scope: Construct, id: string, binding: ComponentBinding<MonitoringValues>) {
    super(scope, id);
    const { values } = binding;
    const names = binding.component(COMPONENT);
    this.objects = addSluiceObjects(this, {
      source: SOURCE,
      context: binding.context,
      objects: [
        {
          id: 'ServiceMonitor',
          file: 'monitoring-servicemonitor.yaml',
          when: values.serviceMonitor.enabled.$,
          tree: serviceMonitor(binding, names),
        },
        {
          id: 'PrometheusRule',
          file: 'monitoring-prometheusrule.yaml',
          when: values.prometheusRule.enabled.$,
          tree: prometheusRule(binding, names),
        },
        {
          id: 'GrafanaDashboard',
          file: 'monitoring-grafana-dashboard.yaml',
          when: values.grafanaDashboard.enabled.$,
          tree: dashboardConfigMap(binding, names),
        },
      ],
    });
  }
}
