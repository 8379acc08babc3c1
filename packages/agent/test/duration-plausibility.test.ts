import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DURATION_TOLERANCE_MS, durationImplausibility } from '../src/access-log/duration-plausibility.js';

const check = { startedAtMs: 1_000_000, processingMs: 3.7 };
const now = 1_000_000 + 2_000;

test('a response no longer than the time since the Check started, plus the tolerance, is plausible', () => {
  assert.equal(DURATION_TOLERANCE_MS, 250);
  const at = (responseDurationMs: number) =>
    durationImplausibility(check, { responseDurationMs, authzDurationMs: 4 }, now);
  assert.equal(at(0), undefined);
  assert.equal(at(2_000), undefined);
  assert.equal(at(2_250), undefined, 'headers arrived up to 250 ms before the Check started');
  assert.equal(at(2_251), 'implausible-duration');
  assert.equal(at(5_000), 'implausible-duration', 'a forged 5 s latency 2 s after the Check');
});

test('DURATION is bounded the same way when the flow has it (stalled flows)', () => {
  assert.equal(durationImplausibility(check, { durationMs: 2_250 }, now), undefined);
  assert.equal(durationImplausibility(check, { durationMs: 2_251 }, now), 'implausible-duration');
});

test('the ext_authz duration is at least the agent’s own time, truncated to ms as Envoy writes it', () => {
  const authz = (authzDurationMs: number) =>
    durationImplausibility(check, { responseDurationMs: 10, authzDurationMs }, now);
  assert.equal(authz(3), undefined, '⌊3.7⌋ = 3: Envoy’s truncation of a 3.9 ms call');
  assert.equal(authz(250), undefined);
  assert.equal(authz(2), 'implausible-authz-duration');
  assert.equal(authz(0), 'implausible-authz-duration', 'zero to inflate latency = response − ext_authz');
  assert.equal(
    durationImplausibility({ ...check, processingMs: 0.9 }, { authzDurationMs: 0 }, now),
    undefined,
  );
});

test('absent durations are not judged; a custom tolerance applies', () => {
  assert.equal(durationImplausibility(check, {}, now), undefined);
  assert.equal(durationImplausibility(check, { responseDurationMs: 2_010 }, now, 0), 'implausible-duration');
  assert.equal(durationImplausibility(check, { responseDurationMs: 2_010 }, now, 10), undefined);
});
