import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GrowthCheck } from '../src/soak/growth.js';
import { runChecks, soakPassed, type CheckTally } from '../src/soak/soak-report.js';
import type { ChurnTally } from '../src/soak/policy-churn.js';
import type { AgentCounters } from '../src/soak/process-sampler.js';

const CHECKS: CheckTally = {
  sent: 1_600_000,
  answered: 1_600_000,
  failed: 0,
  offeredPerSecond: 2_700,
  achievedPerSecond: 2_690,
  segments: 20,
};
const AGENT: AgentCounters = {
  checks: 1_600_060,
  checksRejected: 400_000,
  checkErrors: 0,
  componentMessages: 60,
  policyErrors: 0,
  staleHashDecisions: 0,
};
const CHURN: ChurnTally = {
  pushes: 60,
  verified: 60,
  perVariant: { a: 20, b: 20, c: 20 },
  applyMedianMs: 25,
  applyMaxMs: 80,
  failures: [],
};

test('a run that answered everything and rebuilt every push passes its run checks', () => {
  const checks = runChecks({ checks: CHECKS, agent: AGENT, churn: CHURN });
  assert.deepEqual(
    checks.map((check) => check.verdict),
    ['PASS', 'PASS', 'PASS', 'PASS'],
  );
  assert.equal(checks[0]?.measured, '1,600,000 / 1,600,000, 0 failed');
});

test('unanswered Checks, gRPC errors, an unverified push or a policy error are each a MISS', () => {
  const verdicts = (inputs: Parameters<typeof runChecks>[0]) =>
    runChecks(inputs).map((check) => check.verdict);
  assert.deepEqual(
    verdicts({ checks: { ...CHECKS, answered: 1_599_990, failed: 10 }, agent: AGENT, churn: CHURN }),
    ['MISS', 'PASS', 'PASS', 'PASS'],
  );
  assert.deepEqual(
    verdicts({ checks: CHECKS, agent: { ...AGENT, checkErrors: 3, policyErrors: 1 }, churn: CHURN }),
    ['PASS', 'MISS', 'PASS', 'MISS'],
  );
  assert.deepEqual(verdicts({ checks: CHECKS, agent: AGENT, churn: { ...CHURN, verified: 59 } })[2], 'MISS');
  // No pushes at all is not churn.
  assert.deepEqual(
    verdicts({ checks: CHECKS, agent: AGENT, churn: { ...CHURN, pushes: 0, verified: 0 } })[2],
    'MISS',
  );
});

test('the soak passes unless something is a MISS; a SKIP does not fail it', () => {
  const growth = (verdict: GrowthCheck['verdict']) => ({ verdict }) as GrowthCheck;
  const run = runChecks({ checks: CHECKS, agent: AGENT, churn: CHURN });
  assert.equal(soakPassed([growth('PASS'), growth('SKIP')], run), true);
  assert.equal(soakPassed([growth('PASS'), growth('MISS')], run), false);
});
