import type { SpecIssue } from '../spec-issues.js';
import {
  componentKind,
  convertApertureValues,
  type ApertureConversion,
  type ApertureConversionOptions,
  type ApertureWarning,
} from './aperture-converter.js';
import { BLUEPRINT_NAMES, type BlueprintName } from './sluice-blueprints.js';

/**
 * Converts an Aperture `kind: Policy` custom resource, as `aperturectl blueprints generate` writes it,
 * back into a FlowPolicy. Pure: no I/O.
 *
 * The circuit is matched against what each supported blueprint generates, the blueprint's values are
 * read back out of it, and the values converter does the rest, so a CR and the values file it came
 * from convert to the same FlowPolicy. Anything the blueprint would not have written (an extra
 * component, a changed signal, an edited query) is refused with the component and what differs.
 */

type Json = Record<string, unknown>;

const APERTURE_POLICY_API_VERSION = 'fluxninja.com/v1alpha1';
/** Every circuit aperturectl generates evaluates once a second. */
const GENERATED_EVALUATION_INTERVAL = '1s';
/** The average-latency blueprint's short-term query window and cadence. */
const SIGNAL_WINDOW = '30s';
const SIGNAL_QUERY_INTERVAL = '10s';
/** The rate-limit blueprint's decider compares ACCEPT_PERCENTAGE with this constant to drive its alert. */
const ACCEPT_PERCENTAGE_THRESHOLD = 90;

/** Component kinds of Aperture's other blueprints, so their CRs are named rather than called hand-made. */
const UNSUPPORTED_BLUEPRINT_COMPONENTS: Record<string, string> = {
  'flow_control.quota_scheduler': 'quota-scheduling/base',
  'flow_control.concurrency_limiter': 'concurrency-limiting/base',
  'flow_control.concurrency_scheduler': 'concurrency-scheduling/base',
  'flow_control.load_ramp': 'load-ramping/base',
  'auto_scale.pod_scaler': 'auto-scaling/pod-auto-scaler',
  'flow_control.aiad_load_scheduler':
    'load-scheduling/promql, postgresql, elasticsearch, java-gc-* or cpu-overload-protection-k8s',
  'flow_control.range_driven_load_scheduler': 'load-scheduling/* (range-driven)',
};

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Collects where the circuit differs from what the blueprint generates. */
class CircuitCheck {
  readonly issues: SpecIssue[] = [];
  constructor(private readonly blueprint: BlueprintName) {}

  differs(path: string, found: unknown, expected: string): void {
    this.issues.push({
      path,
      value: JSON.stringify(found) ?? '<missing>',
      allowed: `the ${this.blueprint} blueprint generates ${expected} here; a hand-made circuit cannot be converted`,
    });
  }

  equals(path: string, found: unknown, expected: unknown): void {
    if (found !== expected) this.differs(path, found, JSON.stringify(expected));
  }

  /** An in/out port wired to a named signal. */
  signal(path: string, port: unknown, name: string): void {
    this.equals(`${path}.signal_name`, at(port, 'signal_name'), name);
  }

  /** An in port fed by a constant; returns the constant. */
  constant(path: string, port: unknown): number | undefined {
    const value = at(port, 'constant_signal', 'value');
    if (typeof value === 'number') return value;
    this.differs(`${path}.constant_signal.value`, at(port, 'signal_name') ?? value, 'a constant');
    return undefined;
  }

  /** Only these keys on an object the blueprint writes in full. */
  keys(path: string, value: unknown, allowed: readonly string[]): void {
    if (!isObject(value)) return;
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.differs(`${path}.${key}`, value[key], `no ${key}`);
    }
  }
}

function averageLatencyQuery(policyName: string, window: string): string {
  const labels = `flow_status="OK", flux_meter_name="${policyName}", policy_name="${policyName}"`;
  return `sum(increase(flux_meter_sum{${labels}}[${window}]))/sum(increase(flux_meter_count{${labels}}[${window}]))`;
}

/** The window of an average-latency query the blueprint wrote for this policy, if it is one. */
function queryWindow(query: unknown, policyName: string): string | undefined {
  if (typeof query !== 'string') return undefined;
  const window = /\[([0-9]+(?:\.[0-9]+)?s)\]\)\)$/.exec(query)?.[1];
  return window !== undefined && averageLatencyQuery(policyName, window) === query ? window : undefined;
}

const COMPONENTS = 'spec.circuit.components';

function recoverAverageLatency(
  name: string,
  components: unknown[],
  start: number,
  resources: Json,
  check: CircuitCheck,
): { values: Json; dryRunConfigKey: unknown } {
  const scheduler = at(components[start], 'flow_control', 'aimd_load_scheduler');
  const sPath = `${COMPONENTS}[${start}].flow_control.aimd_load_scheduler`;
  check.keys(sPath, scheduler, ['dry_run', 'dry_run_config_key', 'in_ports', 'out_ports', 'parameters']);
  check.keys(`${sPath}.in_ports`, at(scheduler, 'in_ports'), ['overload_confirmation', 'setpoint', 'signal']);
  check.equals(
    `${sPath}.in_ports.overload_confirmation.constant_signal.value`,
    at(scheduler, 'in_ports', 'overload_confirmation', 'constant_signal', 'value'),
    1,
  );
  check.signal(`${sPath}.in_ports.setpoint`, at(scheduler, 'in_ports', 'setpoint'), 'SETPOINT');
  check.signal(`${sPath}.in_ports.signal`, at(scheduler, 'in_ports', 'signal'), 'SIGNAL');

  const short = at(components[start + 1], 'query', 'promql');
  const shortPath = `${COMPONENTS}[${start + 1}].query.promql`;
  check.keys(shortPath, short, ['evaluation_interval', 'out_ports', 'query_string']);
  check.equals(`${shortPath}.evaluation_interval`, at(short, 'evaluation_interval'), SIGNAL_QUERY_INTERVAL);
  check.signal(`${shortPath}.out_ports.output`, at(short, 'out_ports', 'output'), 'SIGNAL');
  check.equals(
    `${shortPath}.query_string`,
    at(short, 'query_string'),
    averageLatencyQuery(name, SIGNAL_WINDOW),
  );

  const long = at(components[start + 2], 'query', 'promql');
  const longPath = `${COMPONENTS}[${start + 2}].query.promql`;
  check.keys(longPath, long, ['evaluation_interval', 'out_ports', 'query_string']);
  check.signal(`${longPath}.out_ports.output`, at(long, 'out_ports', 'output'), 'SIGNAL_LONG_TERM');
  const longWindow = queryWindow(at(long, 'query_string'), name);
  if (longWindow === undefined) {
    check.differs(
      `${longPath}.query_string`,
      at(long, 'query_string'),
      `the average latency of flux meter "${name}" over the long-term window`,
    );
  }

  const setpoint = at(components[start + 3], 'arithmetic_combinator');
  const setpointPath = `${COMPONENTS}[${start + 3}].arithmetic_combinator`;
  check.keys(setpointPath, setpoint, ['in_ports', 'operator', 'out_ports']);
  check.equals(`${setpointPath}.operator`, at(setpoint, 'operator'), 'mul');
  check.signal(`${setpointPath}.in_ports.lhs`, at(setpoint, 'in_ports', 'lhs'), 'SIGNAL_LONG_TERM');
  const tolerance = check.constant(`${setpointPath}.in_ports.rhs`, at(setpoint, 'in_ports', 'rhs'));
  check.signal(`${setpointPath}.out_ports.output`, at(setpoint, 'out_ports', 'output'), 'SETPOINT');

  const fluxMeters = at(resources, 'flow_control', 'flux_meters');
  const fluxMeter = isObject(fluxMeters) ? fluxMeters[name] : undefined;
  if (fluxMeter === undefined) {
    check.differs(`spec.resources.flow_control.flux_meters["${name}"]`, undefined, 'the latency flux meter');
  }
  for (const other of Object.keys(isObject(fluxMeters) ? fluxMeters : {})) {
    if (other !== name)
      check.differs(
        `spec.resources.flow_control.flux_meters["${other}"]`,
        '<flux meter>',
        'no other flux meter',
      );
  }

  return {
    dryRunConfigKey: at(scheduler, 'dry_run_config_key'),
    values: {
      policy: {
        policy_name: name,
        load_scheduling_core: {
          ...(at(scheduler, 'dry_run') !== undefined ? { dry_run: at(scheduler, 'dry_run') } : {}),
          aimd_load_scheduler: at(scheduler, 'parameters'),
        },
        latency_baseliner: {
          flux_meter: fluxMeter,
          ...(tolerance !== undefined ? { latency_tolerance_multiplier: tolerance } : {}),
          ...(longWindow !== undefined ? { long_term_query_interval: longWindow } : {}),
          ...(typeof at(long, 'evaluation_interval') === 'string'
            ? { long_term_query_periodic_interval: at(long, 'evaluation_interval') }
            : {}),
        },
      },
    },
  };
}

function recoverRateLimit(name: string, components: unknown[], start: number, check: CircuitCheck): Json {
  const limiter = at(components[start], 'flow_control', 'rate_limiter');
  const lPath = `${COMPONENTS}[${start}].flow_control.rate_limiter`;
  check.keys(lPath, limiter, ['in_ports', 'out_ports', 'parameters', 'request_parameters', 'selectors']);
  check.keys(`${lPath}.in_ports`, at(limiter, 'in_ports'), ['bucket_capacity', 'fill_amount']);
  const capacity = check.constant(
    `${lPath}.in_ports.bucket_capacity`,
    at(limiter, 'in_ports', 'bucket_capacity'),
  );
  const fill = check.constant(`${lPath}.in_ports.fill_amount`, at(limiter, 'in_ports', 'fill_amount'));
  check.signal(
    `${lPath}.out_ports.accept_percentage`,
    at(limiter, 'out_ports', 'accept_percentage'),
    'ACCEPT_PERCENTAGE',
  );

  const decider = at(components[start + 1], 'decider');
  const dPath = `${COMPONENTS}[${start + 1}].decider`;
  check.keys(dPath, decider, ['in_ports', 'operator', 'out_ports']);
  check.signal(`${dPath}.in_ports.lhs`, at(decider, 'in_ports', 'lhs'), 'ACCEPT_PERCENTAGE');
  check.equals(
    `${dPath}.in_ports.rhs.constant_signal.value`,
    at(decider, 'in_ports', 'rhs', 'constant_signal', 'value'),
    ACCEPT_PERCENTAGE_THRESHOLD,
  );
  check.equals(`${dPath}.operator`, at(decider, 'operator'), 'gte');
  check.signal(`${dPath}.out_ports.output`, at(decider, 'out_ports', 'output'), 'ACCEPT_PERCENTAGE_ALERT');

  const alerter = at(components[start + 2], 'alerter');
  const aPath = `${COMPONENTS}[${start + 2}].alerter`;
  check.keys(aPath, alerter, ['in_ports', 'parameters']);
  check.signal(`${aPath}.in_ports.signal`, at(alerter, 'in_ports', 'signal'), 'ACCEPT_PERCENTAGE_ALERT');

  const requestParameters = at(limiter, 'request_parameters');
  return {
    policy: {
      policy_name: name,
      rate_limiter: {
        ...(at(alerter, 'parameters') !== undefined ? { alerter: at(alerter, 'parameters') } : {}),
        bucket_capacity: capacity,
        fill_amount: fill,
        selectors: at(limiter, 'selectors'),
        parameters: at(limiter, 'parameters'),
        ...(requestParameters !== undefined ? { request_parameters: requestParameters } : {}),
      },
    },
  };
}

/** Which supported blueprint generated this circuit, and where its components start. */
function recognise(components: unknown[]): { blueprint: BlueprintName; start: number } | undefined {
  const kinds = components.map(componentKind);
  const scheduler = kinds.lastIndexOf('flow_control.aimd_load_scheduler');
  if (scheduler >= 0 && scheduler === kinds.length - 4)
    return { blueprint: 'load-scheduling/average-latency', start: scheduler };
  const tail = kinds.slice(-3).join(',');
  if (tail === 'flow_control.rate_limiter,decider,alerter')
    return { blueprint: 'rate-limiting/base', start: kinds.length - 3 };
  return undefined;
}

function refusal(issues: SpecIssue[]): ApertureConversion {
  return { ok: false, issues };
}

/**
 * Converts an Aperture Policy CR generated from a supported blueprint into a FlowPolicy. The values
 * refusals of the blueprint (Rego classifiers, lazy sync, ...) apply as well; their paths are those of
 * the values file the CR was generated from, prefixed with `(values)`.
 */
export function convertAperturePolicy(
  document: unknown,
  options: ApertureConversionOptions = {},
): ApertureConversion {
  if (!isObject(document) || document['kind'] !== 'Policy') {
    return refusal([
      {
        path: 'kind',
        value: JSON.stringify(at(document, 'kind')) ?? '<missing>',
        allowed: `an Aperture Policy (apiVersion ${APERTURE_POLICY_API_VERSION}, kind Policy)${
          at(document, 'policy') !== undefined
            ? '; this looks like a blueprint values file: convert it with convertApertureValuesFile (sluicectl blueprints generate)'
            : ''
        }`,
      },
    ]);
  }
  if (document['apiVersion'] !== APERTURE_POLICY_API_VERSION) {
    return refusal([
      {
        path: 'apiVersion',
        value: JSON.stringify(document['apiVersion']) ?? '<missing>',
        allowed: `${APERTURE_POLICY_API_VERSION} (Aperture's Policy)`,
      },
    ]);
  }
  const name = at(document, 'metadata', 'name');
  if (typeof name !== 'string' || name === '') {
    return refusal([
      { path: 'metadata.name', value: JSON.stringify(name) ?? '<missing>', allowed: 'the policy name' },
    ]);
  }
  const components = at(document, 'spec', 'circuit', 'components');
  if (!Array.isArray(components)) {
    return refusal([
      {
        path: COMPONENTS,
        value: JSON.stringify(components) ?? '<missing>',
        allowed: "the circuit's components",
      },
    ]);
  }
  const kinds = components.map(componentKind);
  const found = recognise(components);
  if (found === undefined) {
    const other = kinds.find((kind) => UNSUPPORTED_BLUEPRINT_COMPONENTS[kind] !== undefined);
    const supported = `supported: ${BLUEPRINT_NAMES.join(', ')}`;
    return refusal([
      {
        path: COMPONENTS,
        value: JSON.stringify(kinds),
        allowed:
          other !== undefined
            ? `generated from Aperture's ${UNSUPPORTED_BLUEPRINT_COMPONENTS[other] ?? ''} blueprint (${other}), which Sluice does not support; ${supported}`
            : `not a circuit generated by a blueprint Sluice supports (${supported})`,
      },
    ]);
  }
  const check = new CircuitCheck(found.blueprint);
  if (found.start > 0) {
    // aperturectl puts the values' `policy.components` ahead of the blueprint's own.
    check.issues.push({
      path: `${COMPONENTS}[0..${found.start - 1}]`,
      value: JSON.stringify(kinds.slice(0, found.start)),
      allowed: `components added to the ${found.blueprint} blueprint's circuit are not supported; Sluice converts the blueprint's own circuit only`,
    });
  }
  check.equals(
    'spec.circuit.evaluation_interval',
    at(document, 'spec', 'circuit', 'evaluation_interval'),
    GENERATED_EVALUATION_INTERVAL,
  );
  const resources = isObject(at(document, 'spec', 'resources'))
    ? (at(document, 'spec', 'resources') as Json)
    : {};
  check.keys('spec.resources', resources, ['flow_control', 'infra_meters']);
  check.keys('spec.resources.flow_control', at(resources, 'flow_control'), ['classifiers', 'flux_meters']);
  const infraMeters = at(resources, 'infra_meters');
  if (isObject(infraMeters) && Object.keys(infraMeters).length > 0)
    check.differs('spec.resources.infra_meters', '<infra meters>', 'no infra meters');
  if (found.blueprint === 'rate-limiting/base' && at(resources, 'flow_control', 'flux_meters') !== undefined)
    check.differs('spec.resources.flow_control.flux_meters', '<flux meters>', 'no flux meters');

  const warnings: ApertureWarning[] = [];
  let values: Json;
  if (found.blueprint === 'load-scheduling/average-latency') {
    const recovered = recoverAverageLatency(name, components, found.start, resources, check);
    values = recovered.values;
    if (recovered.dryRunConfigKey !== undefined) {
      warnings.push({
        path: `${COMPONENTS}[${found.start}].flow_control.aimd_load_scheduler.dry_run_config_key`,
        note: 'ignored: Sluice has no dynamic configuration; dryRun is set in the FlowPolicy (edit and re-apply it to toggle)',
      });
    }
  } else {
    values = recoverRateLimit(name, components, found.start, check);
  }
  if (check.issues.length > 0) return refusal(check.issues);

  const classifiers = at(resources, 'flow_control', 'classifiers');
  const policy = values['policy'] as Json;
  if (Array.isArray(classifiers) && classifiers.length > 0)
    policy['resources'] = { flow_control: { classifiers } };
  const converted = convertApertureValues(found.blueprint, values, options);
  if (!converted.ok) {
    return refusal(converted.issues.map((issue) => ({ ...issue, path: `(values) ${issue.path}` })));
  }
  return {
    ...converted,
    warnings: [
      ...warnings,
      ...converted.warnings.map((warning) => ({ ...warning, path: `(values) ${warning.path}` })),
    ],
  };
}
