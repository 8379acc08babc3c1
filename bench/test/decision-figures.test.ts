import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decisionTargets, type ServerSummary } from '../src/decision-path/decision-figures.js';
import type { ServerKind } from '../src/decision-path/check-servers.js';

const RATE = 10_000;

function summary(kind: ServerKind, overrides: Partial<ServerSummary> = {}): ServerSummary {
  return {
    kind,
    peakPerSecond: 20_000,
    cpuMicrosPerDecisionAtPeak: 50,
    cpuMicrosPerDecisionAtRate: 80,
    achievedPerSecond: RATE,
    p50Ms: 1,
    p99Ms: 5,
    p999Ms: 10,
    acceptedShare: Number.NaN,
    ...overrides,
  };
}

const verdicts = (targets: ReturnType<typeof decisionTargets>) =>
  targets.map((target) => [target.name, target.verdict, target.measured]);

test('the CPU target compares the paced runs, at one offered rate, not each server at its own peak', () => {
  const targets = decisionTargets(
    [
      summary('bare'),
      // At peak the agent is slower, so its CPU per decision there is 2.4×; at the same rate, 1.25×.
      summary('agent-pass-through', {
        peakPerSecond: 9_000,
        cpuMicrosPerDecisionAtPeak: 120,
        cpuMicrosPerDecisionAtRate: 100,
      }),
      summary('agent-lm-0.5', { cpuMicrosPerDecisionAtRate: 125 }),
    ],
    RATE,
  );
  assert.deepEqual(verdicts(targets), [
    ['CPU per decision at 50% of bare peak, agent, policy, pass-through ÷ bare', 'PASS', 1.25],
    ['CPU per decision at 50% of bare peak, agent, policy, LM 0.5 ÷ bare', 'MISS', 1.5625],
    ['p99.9 at 50% of bare peak, agent, policy, pass-through ÷ bare', 'PASS', 1],
  ]);
});

test('an agent that fell below 95% of the offered rate misses, with the rate it held', () => {
  const targets = decisionTargets(
    [
      summary('bare'),
      summary('agent-pass-through', { achievedPerSecond: 9_400, cpuMicrosPerDecisionAtRate: 70 }),
      summary('agent-lm-0.5', { achievedPerSecond: 9_500 }),
    ],
    RATE,
  );
  assert.deepEqual(
    targets.map((target) => target.verdict),
    ['MISS', 'PASS', 'MISS'],
  );
  assert.match(targets[0]?.note ?? '', /sustained 9400 of 10000\/s/);
});

test('a server that was not measured gives SKIP, not PASS', () => {
  const targets = decisionTargets([summary('bare')], RATE);
  assert.deepEqual(
    targets.map((target) => target.verdict),
    ['SKIP', 'SKIP', 'SKIP'],
  );
});
