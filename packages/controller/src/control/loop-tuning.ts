/**
 * The tuning of the average-latency loop's steps that the FlowPolicy does not set: every constant of
 * its heuristics, by step, with today's values as defaults. Moving them into the policy schema would
 * change behaviour (and the schema); until then a loop takes them from its options, for tests and
 * experiments.
 */
import { DEFAULT_CAPACITY_PARAMETERS, type CapacityParameters } from './capacity-estimate.js';
import { DEFAULT_CHANCE_PARAMETERS, type ChanceParameters } from './error-ratio-condition.js';
import { DEFAULT_OVERLOAD_PARAMETERS, type OverloadParameters } from './overload-condition.js';
import { DEFAULT_PROBE_PARAMETERS, type ProbeParameters } from './probe-cap.js';
import { DEFAULT_RELEASE_PARAMETERS, type ReleaseParameters } from './throttle-release.js';

export interface LoopTuning {
  /** The test of chance of the error and stall conditions (error-ratio-condition.ts). */
  readonly chance: ChanceParameters;
  /** How an overload of errors cuts (overload-condition.ts). */
  readonly overload: OverloadParameters;
  /** Backlog detection and the share of capacity admitted (capacity-estimate.ts, capacity-floor.ts). */
  readonly capacity: CapacityParameters;
  /** Probing above the measured capacity (probe-cap.ts); its capacityShare is `capacity.capacityShare`. */
  readonly probe: Omit<ProbeParameters, 'capacityShare'>;
  /** Releasing a throttle that does not help (throttle-release.ts). */
  readonly release: ReleaseParameters;
}

/** Any part of the tuning; the rest keeps its default. */
export type LoopTuningOverrides = { readonly [K in keyof LoopTuning]?: Partial<LoopTuning[K]> };

export const DEFAULT_LOOP_TUNING: LoopTuning = {
  chance: DEFAULT_CHANCE_PARAMETERS,
  overload: DEFAULT_OVERLOAD_PARAMETERS,
  capacity: DEFAULT_CAPACITY_PARAMETERS,
  probe: {
    headroom: DEFAULT_PROBE_PARAMETERS.headroom,
    backoffWindows: DEFAULT_PROBE_PARAMETERS.backoffWindows,
    settleWindows: DEFAULT_PROBE_PARAMETERS.settleWindows,
  },
  release: DEFAULT_RELEASE_PARAMETERS,
};

interface Rule {
  readonly path: string;
  readonly value: number;
  readonly allowed: string;
  readonly ok: (value: number) => boolean;
}

const inOpenUnit = (value: number) => value > 0 && value < 1;
const inUnitAbove0 = (value: number) => value > 0 && value <= 1;
const wholeAbove0 = (value: number) => Number.isInteger(value) && value >= 1;

/**
 * The defaults with `overrides` applied. Throws a RangeError naming every parameter out of range,
 * its value and what is allowed.
 */
export function resolveLoopTuning(overrides: LoopTuningOverrides = {}): LoopTuning {
  const tuning: LoopTuning = {
    chance: { ...DEFAULT_LOOP_TUNING.chance, ...overrides.chance },
    overload: { ...DEFAULT_LOOP_TUNING.overload, ...overrides.overload },
    capacity: { ...DEFAULT_LOOP_TUNING.capacity, ...overrides.capacity },
    probe: { ...DEFAULT_LOOP_TUNING.probe, ...overrides.probe },
    release: { ...DEFAULT_LOOP_TUNING.release, ...overrides.release },
  };
  const rules: Rule[] = [
    {
      path: 'chance.significanceNats',
      value: tuning.chance.significanceNats,
      allowed: 'a finite number > 0',
      ok: (value) => Number.isFinite(value) && value > 0,
    },
    {
      path: 'chance.minTestedRatio',
      value: tuning.chance.minTestedRatio,
      allowed: 'a number in (0, 0.5)',
      ok: (value) => value > 0 && value < 0.5,
    },
    {
      path: 'overload.leastErrorGradient',
      value: tuning.overload.leastErrorGradient,
      allowed: 'a number in (0, 1]',
      ok: inUnitAbove0,
    },
    {
      path: 'capacity.backlogMargin',
      value: tuning.capacity.backlogMargin,
      allowed: 'a number in (0, 1]',
      ok: inUnitAbove0,
    },
    {
      path: 'capacity.capacityShare',
      value: tuning.capacity.capacityShare,
      allowed: 'a number in (0, 1]',
      ok: inUnitAbove0,
    },
    {
      path: 'probe.headroom',
      value: tuning.probe.headroom,
      allowed: 'a finite number ≥ 1',
      ok: (value) => Number.isFinite(value) && value >= 1,
    },
    {
      path: 'probe.backoffWindows',
      value: tuning.probe.backoffWindows,
      allowed: 'a whole number ≥ 1',
      ok: wholeAbove0,
    },
    {
      path: 'probe.settleWindows',
      value: tuning.probe.settleWindows,
      allowed: 'a whole number ≥ 1',
      ok: wholeAbove0,
    },
    {
      path: 'release.improvementFraction',
      value: tuning.release.improvementFraction,
      allowed: 'a number in [0, 1)',
      ok: (value) => value === 0 || inOpenUnit(value),
    },
  ];
  const problems = rules
    .filter((rule) => !rule.ok(rule.value))
    .map((rule) => `${rule.path} ${String(rule.value)} is not allowed; expected ${rule.allowed}`);
  if (problems.length > 0) throw new RangeError(`control loop tuning: ${problems.join('; ')}`);
  return tuning;
}

/** The probe step's parameters: the probe's own with the capacity share. */
export function probeParameters(tuning: LoopTuning): ProbeParameters {
  return { ...tuning.probe, capacityShare: tuning.capacity.capacityShare };
}
