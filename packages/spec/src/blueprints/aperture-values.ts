import { z } from 'zod';

/**
 * Aperture's snake_case values files for the two blueprints Sluice can take over. The schemas are
 * closed: a key Aperture knows but Sluice cannot honour is listed here (so it is recognised) and
 * refused by the converter with a reason; a key neither knows is an unknown field.
 */

const ApertureMatchExpressionSchema = z
  .object({
    key: z.string(),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(z.string()).optional(),
  })
  .strict();

export const ApertureLabelMatcherSchema = z
  .object({
    match_labels: z.record(z.string(), z.string()).optional(),
    match_list: z.array(ApertureMatchExpressionSchema).optional(),
    match_expressions: z.array(ApertureMatchExpressionSchema).optional(),
    expression: z.unknown().optional(),
  })
  .strict();

export const ApertureSelectorSchema = z
  .object({
    control_point: z.string().min(1),
    service: z.string().optional(),
    agent_group: z.string().optional(),
    label_matcher: ApertureLabelMatcherSchema.optional(),
  })
  .strict();

const ApertureRuleSchema = z
  .object({
    extractor: z
      .object({
        from: z.string().optional(),
        json: z.object({ from: z.string(), pointer: z.string() }).strict().optional(),
        address: z.unknown().optional(),
        jwt: z.unknown().optional(),
        path_templates: z.unknown().optional(),
      })
      .strict()
      .optional(),
    telemetry: z.boolean().optional(),
  })
  .strict();

export const ApertureClassifierSchema = z
  .object({
    selectors: z.array(ApertureSelectorSchema).min(1),
    rules: z.record(z.string(), ApertureRuleSchema).optional(),
    rego: z.unknown().optional(),
  })
  .strict();

/** Aperture writes durations as protobuf JSON: a number of seconds with an `s` suffix ("0.01s", "1800s"). */
const apertureDuration = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?s$/, { message: 'must be a protobuf duration such as 0.01s or 1800s' });

/** Aperture's status codes are enum names (TooManyRequests) or numbers. */
const apertureStatusCode = z.union([z.number().int(), z.string()]);

const ApertureWorkloadParametersSchema = z
  .object({
    priority: z.number().optional(),
    tokens: z.number().optional(),
    queue_timeout: apertureDuration.optional(),
  })
  .strict();

const ApertureSchedulerSchema = z
  .object({
    workloads: z
      .array(
        z
          .object({
            label_matcher: ApertureLabelMatcherSchema,
            name: z.string().optional(),
            parameters: ApertureWorkloadParametersSchema.optional(),
          })
          .strict(),
      )
      .optional(),
    default_workload_parameters: ApertureWorkloadParametersSchema.optional(),
    decision_deadline_margin: apertureDuration.optional(),
    fairness_label_key: z.string().optional(),
    tokens_label_key: z.string().optional(),
    priority_label_key: z.string().optional(),
    workload_label_key: z.string().optional(),
    denied_response_status_code: apertureStatusCode.optional(),
  })
  .strict();

/** Aperture's embedded alerter (AlerterParameters). Sluice sends no alerts; the converter warns that it is ignored. */
export const ApertureAlerterSchema = z
  .object({
    alert_name: z.string().optional(),
    alert_channels: z.array(z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    resolve_timeout: apertureDuration.optional(),
    severity: z.string().optional(),
  })
  .strict();

/** aperturectl writes the blueprint's name and where its source lives at the top of every values file. */
const aperturectlHeader = {
  blueprint: z.string().optional(),
  uri: z.string().optional(),
};

const commonPolicy = {
  policy_name: z.string().min(1),
  components: z.array(z.unknown()).optional(),
  resources: z
    .object({
      flow_control: z
        .object({ classifiers: z.array(ApertureClassifierSchema).optional() })
        .strict()
        .optional(),
      infra_meters: z.unknown().optional(),
    })
    .strict()
    .optional(),
};

export const ApertureAverageLatencyValuesSchema = z
  .object({
    ...aperturectlHeader,
    policy: z
      .object({
        ...commonPolicy,
        load_scheduling_core: z
          .object({
            dry_run: z.boolean().optional(),
            overload_confirmations: z.array(z.unknown()).optional(),
            kubelet_overload_confirmations: z.record(z.string(), z.unknown()).optional(),
            aimd_load_scheduler: z
              .object({
                load_scheduler: z
                  .object({
                    selectors: z.array(ApertureSelectorSchema).min(1),
                    scheduler: ApertureSchedulerSchema.optional(),
                    workload_latency_based_tokens: z.boolean().optional(),
                  })
                  .strict(),
                gradient: z
                  .object({
                    slope: z.number().optional(),
                    min_gradient: z.number().optional(),
                    max_gradient: z.number().optional(),
                  })
                  .strict()
                  .optional(),
                max_load_multiplier: z.number().optional(),
                load_multiplier_linear_increment: z.number().optional(),
                alerter: ApertureAlerterSchema.optional(),
              })
              .strict(),
          })
          .strict(),
        latency_baseliner: z
          .object({
            flux_meter: z.object({ selectors: z.array(ApertureSelectorSchema).min(1) }).strict(),
            latency_tolerance_multiplier: z.number().optional(),
            long_term_query_interval: apertureDuration.optional(),
            long_term_query_periodic_interval: apertureDuration.optional(),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

export const ApertureRateLimitValuesSchema = z
  .object({
    ...aperturectlHeader,
    policy: z
      .object({
        ...commonPolicy,
        rate_limiter: z
          .object({
            alerter: ApertureAlerterSchema.optional(),
            bucket_capacity: z.number(),
            fill_amount: z.number(),
            selectors: z.array(ApertureSelectorSchema).min(1),
            parameters: z
              .object({
                interval: apertureDuration,
                limit_by_label_key: z.string().optional(),
                label_key: z.string().optional(),
                continuous_fill: z.boolean().optional(),
                max_idle_time: apertureDuration.optional(),
                delay_initial_fill: z.boolean().optional(),
                lazy_sync: z
                  .object({ enabled: z.boolean().optional(), num_sync: z.number().optional() })
                  .strict()
                  .optional(),
              })
              .strict(),
            request_parameters: z
              .object({
                tokens_label_key: z.string().optional(),
                denied_response_status_code: apertureStatusCode.optional(),
              })
              .strict()
              .optional(),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

export type ApertureAverageLatencyValues = z.output<typeof ApertureAverageLatencyValuesSchema>;
export type ApertureRateLimitValues = z.output<typeof ApertureRateLimitValuesSchema>;
export type ApertureSelector = z.output<typeof ApertureSelectorSchema>;
export type ApertureLabelMatcher = z.output<typeof ApertureLabelMatcherSchema>;
export type ApertureClassifier = z.output<typeof ApertureClassifierSchema>;
