import type { ClassifierRule } from '../flow-policy/classifier.js';
import { FLOW_POLICY_CRD, parseFlowPolicy, type FlowPolicyInput } from '../flow-policy/flow-policy.js';
import type { SelectorInput } from '../flow-policy/selector.js';
import { parseWith, type ParseResult, type SpecIssue } from '../spec-issues.js';
import {
  ApertureAverageLatencyValuesSchema,
  ApertureRateLimitValuesSchema,
  type ApertureClassifier,
  type ApertureLabelMatcher,
  type ApertureSelector,
} from './aperture-values.js';
import { BLUEPRINT_NAMES } from './sluice-blueprints.js';

/**
 * Converts Aperture blueprint values files into FlowPolicies. Pure: no I/O.
 *
 * Rule: what the file says is converted, what it leaves out takes Sluice's defaults (so a migrated
 * policy recovers at Sluice's pace, not Aperture's). Keys Aperture knows but Sluice cannot honour are
 * refused with the reason, never dropped silently.
 */

/** Aperture evaluates the AIMD integrator every 10 s; Sluice's controller ticks every evaluationInterval (1 s). */
export const APERTURE_INCREMENT_PERIOD_MS = 10_000;
const SLUICE_TICK_MS = 1_000;

/** HTTP status names Aperture's StatusCode enum uses in values files. */
const STATUS_CODE_NAMES: Record<string, number> = {
  TooManyRequests: 429,
  ServiceUnavailable: 503,
  Forbidden: 403,
  BadRequest: 400,
  Unauthorized: 401,
  NotFound: 404,
  Conflict: 409,
  InternalServerError: 500,
  BadGateway: 502,
  GatewayTimeout: 504,
};

class Refusals {
  readonly issues: SpecIssue[] = [];
  refuse(path: string, value: unknown, allowed: string): void {
    this.issues.push({ path, value: JSON.stringify(value) ?? '<missing>', allowed });
  }
}

/** Aperture durations are seconds with an `s` suffix; Sluice accepts the same spelling. Kept verbatim. */
function duration(value: string): string {
  return value;
}

function statusCode(value: number | string, path: string, refusals: Refusals): number | undefined {
  if (typeof value === 'number') return value;
  const code = STATUS_CODE_NAMES[value];
  if (code === undefined)
    refusals.refuse(path, value, `use a number or one of ${Object.keys(STATUS_CODE_NAMES).join(', ')}`);
  return code;
}

function labelMatcher(matcher: ApertureLabelMatcher, path: string, refusals: Refusals) {
  if (matcher.expression !== undefined) {
    refusals.refuse(
      `${path}.expression`,
      matcher.expression,
      'expression trees are not supported; use match_labels or match_list',
    );
  }
  const expressions = [...(matcher.match_list ?? []), ...(matcher.match_expressions ?? [])];
  return {
    ...(matcher.match_labels ? { matchLabels: matcher.match_labels } : {}),
    ...(expressions.length > 0 ? { matchExpressions: expressions } : {}),
  };
}

function selectors(list: ApertureSelector[], path: string, refusals: Refusals): SelectorInput[] {
  return list.map((selector, index) => ({
    controlPoint: selector.control_point,
    ...(selector.service !== undefined ? { service: selector.service } : {}),
    ...(selector.agent_group !== undefined ? { agentGroup: selector.agent_group } : {}),
    ...(selector.label_matcher
      ? { labelMatcher: labelMatcher(selector.label_matcher, `${path}[${index}].label_matcher`, refusals) }
      : {}),
  }));
}

const HEADER_PREFIX = 'request.http.headers.';

function classifiers(list: ApertureClassifier[] | undefined, path: string, refusals: Refusals) {
  return (list ?? []).map((classifier, index) => {
    const here = `${path}[${index}]`;
    if (classifier.rego !== undefined)
      refusals.refuse(
        `${here}.rego`,
        '<rego module>',
        'Rego classifiers are not supported; use header or JSON extractors',
      );
    const rules: Record<string, Partial<ClassifierRule>> = {};
    for (const [label, rule] of Object.entries(classifier.rules ?? {})) {
      const rulePath = `${here}.rules[${JSON.stringify(label)}]`;
      const extractor = rule.extractor ?? {};
      const telemetry = rule.telemetry === undefined ? {} : { telemetry: rule.telemetry };
      if (extractor.from?.startsWith(HEADER_PREFIX)) {
        rules[label] = { header: extractor.from.slice(HEADER_PREFIX.length), ...telemetry };
      } else if (extractor.json && extractor.json.from === 'request.http.body') {
        rules[label] = { jsonPointer: extractor.json.pointer, ...telemetry };
      } else {
        refusals.refuse(
          `${rulePath}.extractor`,
          extractor,
          `supported extractors: from: ${HEADER_PREFIX}<name>, or json: {from: request.http.body, pointer}`,
        );
      }
    }
    return { selectors: selectors(classifier.selectors, `${here}.selectors`, refusals), rules };
  });
}

function refuseCommon(
  policy: { components?: unknown[] | undefined; resources?: { infra_meters?: unknown } | undefined },
  refusals: Refusals,
): void {
  if (policy.components !== undefined && policy.components.length > 0) {
    refusals.refuse(
      'policy.components',
      `<${policy.components.length} components>`,
      'custom circuit components are not supported',
    );
  }
  if (policy.resources?.infra_meters !== undefined) {
    refusals.refuse('policy.resources.infra_meters', '<infra meters>', 'infra meters are not supported');
  }
}

/**
 * The FlowPolicy both blueprints convert to: Aperture's policy name, its classifiers (when any), and
 * the blueprint's own components.
 */
function convertedPolicy(
  policy: {
    policy_name: string;
    resources?: { flow_control?: { classifiers?: ApertureClassifier[] | undefined } | undefined } | undefined;
  },
  refusals: Refusals,
  components: Pick<NonNullable<FlowPolicyInput['spec']>, 'loadSchedulers' | 'rateLimiters'>,
): FlowPolicyInput {
  const apertureClassifiers = policy.resources?.flow_control?.classifiers ?? [];
  return {
    apiVersion: FLOW_POLICY_CRD.apiVersion,
    kind: FLOW_POLICY_CRD.kind,
    metadata: { name: policy.policy_name },
    spec: {
      ...(apertureClassifiers.length > 0
        ? {
            classifiers: classifiers(
              apertureClassifiers,
              'policy.resources.flow_control.classifiers',
              refusals,
            ),
          }
        : {}),
      ...components,
    },
  };
}

function finish(policy: FlowPolicyInput, refusals: Refusals): ParseResult<FlowPolicyInput> {
  if (refusals.issues.length > 0) return { ok: false, issues: refusals.issues };
  const checked = parseFlowPolicy(policy);
  return checked.ok ? { ok: true, value: policy } : checked;
}

function convertAverageLatency(document: unknown): ParseResult<FlowPolicyInput> {
  const parsed = parseWith(ApertureAverageLatencyValuesSchema, document);
  if (!parsed.ok) return parsed;
  const policy = parsed.value.policy;
  const refusals = new Refusals();
  refuseCommon(policy, refusals);
  const core = policy.load_scheduling_core;
  const aimd = core.aimd_load_scheduler;
  const scheduler = aimd.load_scheduler.scheduler ?? {};
  const base = 'policy.load_scheduling_core';
  if ((core.overload_confirmations ?? []).length > 0) {
    refusals.refuse(
      `${base}.overload_confirmations`,
      core.overload_confirmations,
      'PromQL overload confirmations are not supported (empty list only)',
    );
  }
  if (Object.keys(core.kubelet_overload_confirmations ?? {}).length > 0) {
    refusals.refuse(
      `${base}.kubelet_overload_confirmations`,
      core.kubelet_overload_confirmations,
      'kubelet overload confirmations are not supported',
    );
  }
  const lsPath = `${base}.aimd_load_scheduler.load_scheduler`;
  if (aimd.load_scheduler.workload_latency_based_tokens === true) {
    refusals.refuse(
      `${lsPath}.workload_latency_based_tokens`,
      true,
      'only false: workload tokens come from the policy or tokensLabelKey',
    );
  }
  for (const key of ['priority_label_key', 'workload_label_key'] as const) {
    if (scheduler[key] !== undefined)
      refusals.refuse(
        `${lsPath}.scheduler.${key}`,
        scheduler[key],
        'not supported; set priorities per workload',
      );
  }
  if (aimd.gradient?.slope !== undefined && aimd.gradient.slope !== -1) {
    refusals.refuse(
      `${base}.aimd_load_scheduler.gradient.slope`,
      aimd.gradient.slope,
      'only -1 (latency above the setpoint is overload)',
    );
  }
  const denied =
    scheduler.denied_response_status_code === undefined
      ? undefined
      : statusCode(
          scheduler.denied_response_status_code,
          `${lsPath}.scheduler.denied_response_status_code`,
          refusals,
        );
  const parameters = (
    p:
      | { priority?: number | undefined; tokens?: number | undefined; queue_timeout?: string | undefined }
      | undefined,
  ) => ({
    ...(p?.priority !== undefined ? { priority: p.priority } : {}),
    ...(p?.tokens !== undefined ? { tokens: p.tokens } : {}),
    ...(p?.queue_timeout !== undefined ? { queueTimeout: duration(p.queue_timeout) } : {}),
  });
  const increment = aimd.load_multiplier_linear_increment;
  const aimdSettings = {
    ...(aimd.gradient?.min_gradient !== undefined ? { minGradient: aimd.gradient.min_gradient } : {}),
    ...(aimd.gradient?.max_gradient !== undefined ? { maxGradient: aimd.gradient.max_gradient } : {}),
    ...(aimd.max_load_multiplier !== undefined ? { maxLoadMultiplier: aimd.max_load_multiplier } : {}),
    // Aperture adds the increment once per 10 s; Sluice adds it every 1 s tick.
    ...(increment !== undefined
      ? { linearIncrement: (increment * SLUICE_TICK_MS) / APERTURE_INCREMENT_PERIOD_MS }
      : {}),
  };
  const baseliner = policy.latency_baseliner;
  const flowPolicy = convertedPolicy(policy, refusals, {
    loadSchedulers: [
      {
        name: 'load-scheduler',
        selectors: selectors(aimd.load_scheduler.selectors, `${lsPath}.selectors`, refusals),
        ...(scheduler.workloads
          ? {
              workloads: scheduler.workloads.map((workload, index) => ({
                ...(workload.name !== undefined ? { name: workload.name } : {}),
                labelMatcher: labelMatcher(
                  workload.label_matcher,
                  `${lsPath}.scheduler.workloads[${index}].label_matcher`,
                  refusals,
                ),
                ...parameters(workload.parameters),
              })),
            }
          : {}),
        ...(scheduler.default_workload_parameters
          ? { defaultWorkload: parameters(scheduler.default_workload_parameters) }
          : {}),
        ...(scheduler.fairness_label_key !== undefined
          ? { fairnessLabelKey: scheduler.fairness_label_key }
          : {}),
        ...(scheduler.tokens_label_key !== undefined ? { tokensLabelKey: scheduler.tokens_label_key } : {}),
        ...(scheduler.decision_deadline_margin !== undefined
          ? { decisionDeadlineMargin: duration(scheduler.decision_deadline_margin) }
          : {}),
        ...(denied !== undefined ? { deniedResponseStatusCode: denied } : {}),
        ...(core.dry_run !== undefined ? { dryRun: core.dry_run } : {}),
        averageLatency: {
          fluxMeter: {
            selectors: selectors(
              baseliner.flux_meter.selectors,
              'policy.latency_baseliner.flux_meter.selectors',
              refusals,
            ),
          },
          ...(baseliner.latency_tolerance_multiplier !== undefined
            ? { latencyToleranceMultiplier: baseliner.latency_tolerance_multiplier }
            : {}),
          ...(baseliner.long_term_query_interval !== undefined
            ? { baselineWindow: duration(baseliner.long_term_query_interval) }
            : {}),
          ...(Object.keys(aimdSettings).length > 0 ? { aimd: aimdSettings } : {}),
        },
      },
    ],
  });
  return finish(flowPolicy, refusals);
}

function convertRateLimit(document: unknown): ParseResult<FlowPolicyInput> {
  const parsed = parseWith(ApertureRateLimitValuesSchema, document);
  if (!parsed.ok) return parsed;
  const policy = parsed.value.policy;
  const refusals = new Refusals();
  refuseCommon(policy, refusals);
  const limiter = policy.rate_limiter;
  const parameters = limiter.parameters;
  const path = 'policy.rate_limiter';
  if (parameters.delay_initial_fill === true)
    refusals.refuse(`${path}.parameters.delay_initial_fill`, true, 'only false: buckets start full');
  if (parameters.lazy_sync?.enabled === true) {
    refusals.refuse(
      `${path}.parameters.lazy_sync.enabled`,
      true,
      'only false: use backend redis for a global limit',
    );
  }
  if (parameters.label_key !== undefined && parameters.limit_by_label_key !== undefined) {
    refusals.refuse(
      `${path}.parameters.label_key`,
      parameters.label_key,
      'set only limit_by_label_key (label_key is its deprecated name)',
    );
  }
  const limitBy = parameters.limit_by_label_key ?? parameters.label_key;
  const request = limiter.request_parameters;
  const denied =
    request?.denied_response_status_code === undefined
      ? undefined
      : statusCode(
          request.denied_response_status_code,
          `${path}.request_parameters.denied_response_status_code`,
          refusals,
        );
  const flowPolicy = convertedPolicy(policy, refusals, {
    rateLimiters: [
      {
        name: 'rate-limiter',
        selectors: selectors(limiter.selectors, `${path}.selectors`, refusals),
        bucketCapacity: limiter.bucket_capacity,
        fillAmount: limiter.fill_amount,
        interval: duration(parameters.interval),
        ...(limitBy !== undefined ? { limitByLabelKey: limitBy } : {}),
        ...(request?.tokens_label_key !== undefined ? { tokensLabelKey: request.tokens_label_key } : {}),
        ...(parameters.continuous_fill !== undefined ? { continuousFill: parameters.continuous_fill } : {}),
        ...(denied !== undefined ? { deniedResponseStatusCode: denied } : {}),
      },
    ],
  });
  return finish(flowPolicy, refusals);
}

/**
 * Converts an Aperture values document for `blueprint` into a FlowPolicy (input form, defaults left
 * implicit). Unsupported blueprints and fields are refused with path-precise issues.
 */
export function convertApertureValues(blueprint: string, document: unknown): ParseResult<FlowPolicyInput> {
  switch (blueprint) {
    case 'load-scheduling/average-latency':
      return convertAverageLatency(document);
    case 'rate-limiting/base':
      return convertRateLimit(document);
    default:
      return {
        ok: false,
        issues: [
          {
            path: 'blueprint',
            value: JSON.stringify(blueprint),
            allowed: `supported blueprints: ${BLUEPRINT_NAMES.join(', ')}`,
          },
        ],
      };
  }
}
