import { z } from 'zod';

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
      })
      .strict()
      .prefault({})
      .describe(
        'ServiceMonitor for the Prometheus operator. Its selector must match the labels app.kubernetes.io/part-of=sluice.',
      ),
    prometheusRule: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Create a PrometheusRule with alerts: throttling, stuck throttles released, Invalid policies, agents disconnected, ext_authz fail-opens.',
          ),
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
