import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreaker, type CircuitState } from '../src/token-bucket/circuit-breaker.js';
import { ManualClock } from '@sluice/clock/manual';

test('opens after N consecutive failures, probes once after openMs, closes on success, reopens on failure', () => {
  const clock = new ManualClock();
  const transitions: string[] = [];
  const breaker = new CircuitBreaker({
    clock,
    failureThreshold: 3,
    openMs: 1000,
    onTransition: (from: CircuitState, to: CircuitState) => transitions.push(`${from}>${to}`),
  });
  breaker.recordFailure();
  breaker.recordFailure();
  breaker.recordSuccess();
  breaker.recordFailure();
  breaker.recordFailure();
  assert.equal(breaker.state, 'closed', 'a success resets the count');
  breaker.recordFailure();
  assert.equal(breaker.state, 'open');
  assert.equal(breaker.allowRequest(), false);
  clock.advance(999);
  assert.equal(breaker.allowRequest(), false);
  clock.advance(1);
  assert.equal(breaker.allowRequest(), true, 'one probe');
  assert.equal(breaker.allowRequest(), false, 'only one probe at a time');
  breaker.recordFailure();
  assert.equal(breaker.state, 'open');
  clock.advance(1000);
  assert.equal(breaker.allowRequest(), true);
  breaker.recordSuccess();
  assert.equal(breaker.allowRequest(), true);
  assert.deepEqual(breaker.history, ['closed', 'open', 'half-open', 'open', 'half-open', 'closed']);
  assert.deepEqual(transitions, [
    'closed>open',
    'open>half-open',
    'half-open>open',
    'open>half-open',
    'half-open>closed',
  ]);
});
