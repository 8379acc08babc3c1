import { z } from 'zod';
import { labelsSchema } from './chart-values-common.js';

/** kube-prometheus-stack's default selector, named by the value that turns it off. */
function kubePrometheusStack(selectorValue: string): string {
  return `a default kube-prometheus-stack selects only objects labelled release: <its release name> (prometheus.prometheusSpec.${selectorValue}: true)`;
}

/** Namespace of an operator object; unset: the release namespace. */
function operatorNamespace(kind: string) {
  return z
    .string()
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a namespace name (DNS-1123 label)' })
    .optional()
    .describe(
      `Namespace of the ${kind}, for a Prometheus that watches only some namespaces. Unset: the release namespace.`,
    );
}

/** Prometheus and Grafana integration of the `sluice` chart; every piece is off by default. */
export const MonitoringValuesSchema = z
  .object({
    serviceMonitor: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Create a ServiceMonitor (monitoring.coreos.com/v1) scraping the agent and controller /metrics.',
          ),
        interval: z
          .string()
          .regex(/^[0-9]+(ms|s|m)$/, { message: 'must be a Prometheus duration such as 30s' })
          .default('30s')
          .describe('Scrape interval.'),
        labels: labelsSchema(
          `Labels added to the ServiceMonitor, so that a Prometheus serviceMonitorSelector selects it; ${kubePrometheusStack('serviceMonitorSelectorNilUsesHelmValues')}. The chart's own app.kubernetes.io labels win over these.`,
        ),
        namespace: operatorNamespace('ServiceMonitor'),
      })
      .strict()
      .prefault({})
      .describe(
        'ServiceMonitor for the Prometheus operator, scraping the Services labelled app.kubernetes.io/part-of=sluice in the release namespace.',
      ),
    prometheusRule: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Create a PrometheusRule with alerts: throttling, stuck throttles released, Invalid policies, agents disconnected, ext_authz fail-opens.',
          ),
        labels: labelsSchema(
          `Labels added to the PrometheusRule, so that a Prometheus ruleSelector selects it; ${kubePrometheusStack('ruleSelectorNilUsesHelmValues')}. The chart's own app.kubernetes.io labels win over these.`,
        ),
        namespace: operatorNamespace('PrometheusRule'),
      })
      .strict()
      .prefault({})
      .describe('Alerting rules for the Prometheus operator.'),
    grafanaDashboard: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Create a ConfigMap holding the Sluice Grafana dashboard, labelled grafana_dashboard=1 for the Grafana sidecar.',
          ),
      })
      .strict()
      .prefault({})
      .describe('Grafana dashboard.'),
  })
  .strict();

export type MonitoringValues = z.output<typeof MonitoringValuesSchema>;
