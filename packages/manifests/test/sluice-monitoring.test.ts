import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SluicePlatform } from '../src/constructs/platform/sluice-platform.js';
import { SLUICE_CHART_DEFINITION } from '../src/chart/charts.js';
import { SLUICE_ALERT_RULES } from '../src/constructs/monitoring/alert-rules.js';
import { byKey, HELMS, helmTemplate, synthesise, writeChart } from './support/helm.js';
import { closedModelErrors, runtimeModelErrors } from './support/closed-models.js';

const ALL_ON = {
  monitoring: {
    serviceMonitor: { enabled: true, interval: '15s' },
    prometheusRule: { enabled: true },
    grafanaDashboard: { enabled: true },
  },
};
const kinds = (objects: { kind: string; metadata: { name: string } }[]) =>
  objects
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .filter((k) => /ServiceMonitor|PrometheusRule|sluice-monitoring/.test(k))
    .sort();

describe('monitoring objects', () => {
  it('are off by default and all three appear when enabled', () => {
    assert.deepEqual(kinds(synthesise((scope) => new SluicePlatform(scope, 'sluice', {}))), []);
    const objects = synthesise((scope) => new SluicePlatform(scope, 'sluice', ALL_ON));
    assert.deepEqual(kinds(objects), [
      'ConfigMap/sluice-monitoring',
      'PrometheusRule/sluice-monitoring',
      'ServiceMonitor/sluice-monitoring',
    ]);
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor') as any;
    assert.deepEqual(monitor.spec.selector.matchLabels, {
      'app.kubernetes.io/instance': 'sluice',
      'app.kubernetes.io/part-of': 'sluice',
    });
    assert.deepEqual(monitor.spec.endpoints, [{ port: 'http', path: '/metrics', interval: '15s' }]);
    // The selector matches the agent and controller Services, both of which name their metrics port http.
    const services = objects.filter((o) => o.kind === 'Service') as any[];
    assert.equal(services.length, 2);
    for (const service of services) {
      for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels))
        assert.equal(service.metadata.labels[key], value);
      assert.ok(service.spec.ports.some((port: { name: string }) => port.name === 'http'));
    }
    const rule = objects.find((o) => o.kind === 'PrometheusRule') as any;
    assert.deepEqual(
      rule.spec.groups[0].rules.map((r: { alert: string }) => r.alert),
      [
        'SluiceThrottling',
        'SluiceThrottleReleased',
        'SluicePolicyInvalid',
        'SluiceAgentsDisconnected',
        'SluiceExtAuthzFailOpen',
      ],
    );
    const dashboard = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'sluice-monitoring',
    ) as any;
    assert.equal(dashboard.metadata.labels.grafana_dashboard, '1');
    const parsed = JSON.parse(dashboard.data['sluice-dashboard.json']) as {
      panels: { targets: { expr: string }[] }[];
    };
    assert.equal(parsed.panels.length, 6);
  });

  it('every alert and dashboard query names a metric the agent, controller, proxy or Envoy exports', () => {
    const known = /sluice_(controller|agent|proxy)_[a-z_]+|envoy_http_ext_authz_failure_mode_allowed/g;
    for (const rule of SLUICE_ALERT_RULES) assert.ok((rule.expr.match(known) ?? []).length > 0, rule.alert);
  });

  it('validate closed against the prometheus-operator models, and a typo fails', async () => {
    const objects = synthesise((scope) => new SluicePlatform(scope, 'sluice', ALL_ON)).filter(
      (o) => o.apiVersion === 'monitoring.coreos.com/v1',
    );
    assert.equal(objects.length, 2);
    assert.deepEqual(closedModelErrors(objects), []);
    assert.deepEqual(await runtimeModelErrors(objects), []);
    const typo = structuredClone(objects.find((o) => o.kind === 'ServiceMonitor')) as any;
    typo.spec.endpoints[0].intervall = '1m';
    assert.match(closedModelErrors([typo]).join('\n'), /intervall/);
  });

  // kube-prometheus-stack's Prometheus selects ServiceMonitors and PrometheusRules labelled
  // `release: <its release>` by default (values.yaml, prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues
  // and ruleSelectorNilUsesHelmValues: true), from any namespace its *NamespaceSelector allows.
  const KUBE_PROMETHEUS_STACK = {
    monitoring: {
      serviceMonitor: {
        enabled: true,
        labels: { release: 'kps', 'app.kubernetes.io/part-of': 'other' },
        namespace: 'monitoring',
      },
      prometheusRule: { enabled: true, labels: { release: 'kps', team: '' }, namespace: 'monitoring' },
    },
  };
  const selectedBy = (labels: Record<string, string>, selector: Record<string, string>) =>
    Object.entries(selector).every(([key, value]) => labels[key] === value);

  it('take labels and a namespace, so a default kube-prometheus-stack selects them', () => {
    const before = synthesise((scope) => new SluicePlatform(scope, 'sluice', ALL_ON)).filter(
      (o) => o.apiVersion === 'monitoring.coreos.com/v1',
    ) as any[];
    assert.equal(before.filter((o) => selectedBy(o.metadata.labels, { release: 'kps' })).length, 0);
    const objects = synthesise(
      (scope) =>
        new SluicePlatform(scope, 'sluice', { namespace: 'sluice-system', ...KUBE_PROMETHEUS_STACK }),
    ).filter((o) => o.apiVersion === 'monitoring.coreos.com/v1') as any[];
    assert.equal(objects.length, 2);
    for (const object of objects) {
      assert.ok(selectedBy(object.metadata.labels, { release: 'kps' }), object.kind);
      assert.equal(object.metadata.namespace, 'monitoring', object.kind);
      // The chart's own labels win over the user's.
      assert.equal(object.metadata.labels['app.kubernetes.io/part-of'], 'sluice', object.kind);
      assert.equal(Object.keys(object.metadata.labels).length, object.kind === 'PrometheusRule' ? 7 : 6);
    }
    // The ServiceMonitor moved, the Services did not: it still scrapes the release namespace.
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor');
    assert.deepEqual(monitor.spec.namespaceSelector, { matchNames: ['sluice-system'] });
  });

  it('refuse a label that Kubernetes would refuse, naming it', () => {
    assert.throws(
      () =>
        synthesise(
          (scope) =>
            new SluicePlatform(scope, 'sluice', {
              monitoring: { serviceMonitor: { enabled: true, labels: { 'bad key!': 'x' } } },
            } as never),
        ),
      /monitoring\.serviceMonitor\.labels.*bad key!.*must be a label key/s,
    );
  });

  for (const helm of HELMS) {
    it(`the chart renders labels and namespace equal to synthesis on Helm ${helm.major}`, async () => {
      const chart = writeChart(SLUICE_CHART_DEFINITION);
      const rendered = byKey(
        await helmTemplate(helm, chart, {
          release: 'sluice',
          namespace: 'sluice-system',
          values: KUBE_PROMETHEUS_STACK,
        }),
      );
      const synthesised = byKey(
        synthesise(
          (scope) =>
            new SluicePlatform(scope, 'sluice', { namespace: 'sluice-system', ...KUBE_PROMETHEUS_STACK }),
        ),
      );
      assert.deepEqual([...rendered.keys()].sort(), [...synthesised.keys()].sort());
      for (const [key, manifest] of synthesised) assert.deepEqual(rendered.get(key), manifest, key);
    });

    it(`the chart renders them equal to synthesis on Helm ${helm.major}`, async () => {
      const chart = writeChart(SLUICE_CHART_DEFINITION);
      const rendered = byKey(
        await helmTemplate(helm, chart, { release: 'sluice', namespace: 'sluice-system', values: ALL_ON }),
      );
      const synthesised = byKey(synthesise((scope) => new SluicePlatform(scope, 'sluice', ALL_ON)));
      assert.deepEqual([...rendered.keys()].sort(), [...synthesised.keys()].sort());
      for (const [key, manifest] of synthesised) assert.deepEqual(rendered.get(key), manifest, key);
    });
  }
});
