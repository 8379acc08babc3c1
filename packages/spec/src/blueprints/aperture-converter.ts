import { durationMs } from '../duration.js';
import type { ClassifierRule } from '../flow-policy/classifier.js';
import { FLOW_POLICY_CRD, parseFlowPolicy, type FlowPolicyInput } from '../flow-policy/flow-policy.js';
import type { SelectorInput } from '../flow-policy/selector.js';
import { parseWith, type SpecIssue } from '../spec-issues.js';
import { resolveApertureBlueprint, unsupportedBlueprintIssue } from './aperture-blueprints.js';
import {
  ApertureAverageLatencyValuesSchema,
  ApertureRateLimitValuesSchema,
  type ApertureClassifier,
  type ApertureLabelMatcher,
  type ApertureSelector,
} from './aperture-values.js';
import type { BlueprintName } from './sluice-blueprints.js';

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
/** The agent forgets a rate-limit bucket untouched this long (bucket-store-local and the Redis key expiry). */
export const SLUICE_BUCKET_IDLE_MS = 7_200_000;
/** What aperturectl writes for a value the user has to fill in. */
export const APERTURE_REQUIRED_PLACEHOLDER = '__REQUIRED_FIELD__';

/** Something the file says that the converted policy does not carry, said out loud. */
export interface ApertureWarning {
  readonly path: string;
  readonly note: string;
}

export type ApertureConversion =
  | {
      readonly ok: true;
      readonly blueprint: BlueprintName;
      readonly value: FlowPolicyInput;
      readonly warnings: ApertureWarning[];
    }
  | { readonly ok: false; readonly issues: SpecIssue[] };

export interface ApertureConversionOptions {
  /**
   * Aperture's rate limits are global (its agents share buckets through a distributed cache), so they
   * convert to `backend: redis`. `local` is the explicit opt-in to per-agent buckets; it adds a warning.
   */
  readonly rateLimitBackend?: 'redis' | 'local';
}

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
  readonly warnings: ApertureWarning[] = [];
  refuse(path: string, value: unknown, allowed: string): void {
    this.issues.push({ path, value: JSON.stringify(value) ?? '<missing>', allowed });
  }
  warn(path: string, note: string): void {
    this.warnings.push({ path, note });
  }
}

const ALERTER_NOTE = 'ignored: Sluice sends no alerts (alert on its metrics instead)';

/** Paths still holding aperturectl's placeholder: the file is a template, not yet a policy. */
function placeholders(value: unknown, path: string, found: SpecIssue[]): SpecIssue[] {
  if (value === APERTURE_REQUIRED_PLACEHOLDER) {
    found.push({
      path,
      value: JSON.stringify(value),
      allowed: "aperturectl's placeholder for a required value; fill it in",
    });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => placeholders(item, `${path}[${index}]`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) placeholders(item, path ? `${path}.${key}` : key, found);
  }
  return found;
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

/** `flow_control.rate_limiter`, `decider`, `query.promql`: the kind a circuit component has. */
export function componentKind(component: unknown): string {
  if (component === null || typeof component !== 'object' || Array.isArray(component))
    return JSON.stringify(component);
  const [outer] = Object.keys(component);
  if (outer === undefined) return '{}';
  const inner = (component as Record<string, unknown>)[outer];
  if (
    ['flow_control', 'query', 'auto_scale'].includes(outer) &&
    inner !== null &&
    typeof inner === 'object'
  ) {
    const [kind] = Object.keys(inner);
    return kind === undefined ? outer : `${outer}.${kind}`;
  }
  return outer;
}

function refuseCommon(
  policy: { components?: unknown[] | undefined; resources?: { infra_meters?: unknown } | undefined },
  refusals: Refusals,
): void {
  if (policy.components !== undefined && policy.components.length > 0) {
    refusals.refuse(
      'policy.components',
      policy.components.map(componentKind),
      "custom circuit components are not supported; Sluice converts the blueprint's own circuit only",
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

function finish(blueprint: BlueprintName, policy: FlowPolicyInput, refusals: Refusals): ApertureConversion {
  if (refusals.issues.length > 0) return { ok: false, issues: refusals.issues };
  const checked = parseFlowPolicy(policy);
  return checked.ok
    ? { ok: true, blueprint, value: policy, warnings: refusals.warnings }
    : { ok: false, issues: checked.issues };
}

function convertAverageLatency(document: unknown): ApertureConversion {
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
  if (aimd.alerter !== undefined) refusals.warn(`${base}.aimd_load_scheduler.alerter`, ALERTER_NOTE);
  if (aimd.load_scheduler.workload_latency_based_tokens === true) {
    // Aperture weighs each workload by its measured latency; Sluice's scheduler still orders by
    // priority, only the cost per flow differs, so the policy protects the service the same way.
    refusals.warn(
      `${lsPath}.workload_latency_based_tokens`,
      "not converted: Sluice does not estimate tokens from latency; a flow costs its workload's tokens (1 unless set) or its tokensLabelKey label",
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
  if (baseliner.long_term_query_periodic_interval !== undefined) {
    refusals.warn(
      'policy.latency_baseliner.long_term_query_periodic_interval',
      'ignored: Sluice recomputes the baseline every evaluationInterval',
    );
  }
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
  return finish('load-scheduling/average-latency', flowPolicy, refusals);
}

/**
 * Aperture's max_idle_time has one fixed counterpart in Sluice. Forgetting a bucket only matters before
 * it has refilled (an idle bucket is full again after capacity ÷ fill intervals), so the two agree
 * whenever the bucket refills within both idle times.
 */
function checkMaxIdleTime(
  limiter: {
    bucket_capacity: number;
    fill_amount: number;
    parameters: {
      interval: string;
      max_idle_time?: string | undefined;
      continuous_fill?: boolean | undefined;
    };
  },
  path: string,
  refusals: Refusals,
): void {
  const maxIdle = limiter.parameters.max_idle_time;
  if (maxIdle === undefined) return;
  const idleMs = durationMs(maxIdle);
  if (idleMs === SLUICE_BUCKET_IDLE_MS) return;
  const intervals = limiter.bucket_capacity / limiter.fill_amount;
  const refillMs =
    limiter.fill_amount > 0
      ? (limiter.parameters.continuous_fill === false ? Math.ceil(intervals) : intervals) *
        durationMs(limiter.parameters.interval)
      : Infinity;
  // 0 means Aperture never forgets.
  const apertureIdleMs = idleMs === 0 ? Infinity : idleMs;
  if (refillMs <= Math.min(apertureIdleMs, SLUICE_BUCKET_IDLE_MS)) return;
  refusals.refuse(
    path,
    maxIdle,
    `Sluice forgets a bucket idle for ${SLUICE_BUCKET_IDLE_MS / 1000}s; this bucket takes ${refillMs / 1000}s to refill, so the limits would differ. Supported: 7200s, or any value at which the bucket refills first (at least ${refillMs / 1000}s) when it refills within 7200s`,
  );
}

function convertRateLimit(document: unknown, options: ApertureConversionOptions): ApertureConversion {
  const parsed = parseWith(ApertureRateLimitValuesSchema, document);
  if (!parsed.ok) return parsed;
  const policy = parsed.value.policy;
  const refusals = new Refusals();
  refuseCommon(policy, refusals);
  const limiter = policy.rate_limiter;
  const parameters = limiter.parameters;
  const path = 'policy.rate_limiter';
  if (limiter.alerter !== undefined) refusals.warn(`${path}.alerter`, ALERTER_NOTE);
  checkMaxIdleTime(limiter, `${path}.parameters.max_idle_time`, refusals);
  const backend = options.rateLimitBackend ?? 'redis';
  if (backend === 'local') {
    refusals.warn(
      path,
      "converted with backend: local as asked: Aperture shares this limit across agents; Sluice's local backend gives every agent its own bucket",
    );
  }
  if (parameters.delay_initial_fill === true)
    refusals.refuse(`${path}.parameters.delay_initial_fill`, true, 'only false: buckets start full');
  if (parameters.lazy_sync?.enabled === true) {
    refusals.refuse(
      `${path}.parameters.lazy_sync.enabled`,
      true,
      'only false: lazy sync (counting locally, syncing now and then) is not supported; without it the limit converts to backend redis, exact and global',
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
        backend,
        ...(denied !== undefined ? { deniedResponseStatusCode: denied } : {}),
      },
    ],
  });
  return finish('rate-limiting/base', flowPolicy, refusals);
}

/**
 * Converts an Aperture values document for `blueprint` into a FlowPolicy (input form, defaults left
 * implicit). Unsupported blueprints and fields are refused with path-precise issues; what the policy
 * does not carry comes back as warnings.
 */
export function convertApertureValues(
  blueprint: string,
  document: unknown,
  options: ApertureConversionOptions = {},
): ApertureConversion {
  const unfilled = placeholders(document, '', []);
  if (unfilled.length > 0) return { ok: false, issues: unfilled };
  switch (blueprint) {
    case 'load-scheduling/average-latency':
      return convertAverageLatency(document);
    case 'rate-limiting/base':
      return convertRateLimit(document, options);
    default:
      return { ok: false, issues: [unsupportedBlueprintIssue(blueprint, 'blueprint')] };
  }
}

/**
 * Converts a values file as aperturectl writes it: the blueprint comes from its top-level `blueprint:`
 * or from `requested`; when both are given they must agree.
 */
export function convertApertureValuesFile(
  document: unknown,
  requested: string | undefined,
  options: ApertureConversionOptions = {},
): ApertureConversion {
  const blueprint = resolveApertureBlueprint(document, requested);
  if (!blueprint.ok) return blueprint;
  return convertApertureValues(blueprint.value, document, options);
}
