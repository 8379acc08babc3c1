import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  DecisionRecordEncoder,
  decisionRecordOf,
  type DecisionRecordParts,
  type FluxMeterReference,
} from '../src/check/decision-record-encoder.js';
import { decodeDecisionRecord, encodeDecisionRecord } from '../src/check/decision-record.js';
import type {
  ComponentDecision,
  ComponentIdentity,
  DecisionReason,
} from '../src/pipeline/component-decision.js';
import { anyString } from './support/check-arbitraries.js';

// A few components and meters, reused across Checks as a running policy reuses them, so the
// encoder's caches are hit with every outcome.
const identities: Array<{ identity: ComponentIdentity; kind: ComponentDecision['kind'] }> = [
  { identity: { policyName: 'p', policyHash: 'h1', componentId: 'rl' }, kind: 'rate-limiter' },
  { identity: { policyName: 'p', policyHash: 'h1', componentId: 'ls' }, kind: 'load-scheduler' },
  {
    identity: { policyName: 'q "quoted"\n', policyHash: 'ü\u2028', componentId: '\\' },
    kind: 'rate-limiter',
  },
];
const meters: FluxMeterReference[] = [
  { policyName: 'p', name: 'latency' },
  { policyName: 'q', name: 'ünï "x"' },
];
const REASONS: DecisionReason[] = [
  'tokens-available',
  'rate-limited',
  'label-missing',
  'pass-through',
  'bootstrapping',
  'zero-tokens',
  'queued-then-admitted',
  'queue-timeout',
  'no-fill',
  'failed-open',
];
/** Numbers the record may carry, and ones JSON writes as null. */
const anyNumber = fc.oneof(
  fc.nat(100),
  fc.double(),
  fc.constantFrom(0, -0, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, NaN, Infinity),
);

const componentDecision: fc.Arbitrary<ComponentDecision> = fc
  .record({
    component: fc.constantFrom(...identities),
    admitted: fc.boolean(),
    enforced: fc.boolean(),
    reason: fc.constantFrom(...REASONS),
    workload: fc.option(fc.constantFrom('guests', 'subscribers', 'default', 'ünï'), { nil: undefined }),
    tokens: anyNumber,
    queuedMs: anyNumber,
  })
  .map(({ component, workload, ...rest }) => ({
    identity: component.identity,
    kind: component.kind,
    deniedStatusCode: 429,
    ...(workload === undefined ? {} : { workload }),
    ...rest,
  }));

const parts: fc.Arbitrary<DecisionRecordParts> = fc.record({
  controlPoint: anyString,
  services: fc.array(anyString, { maxLength: 3 }),
  decision: fc.constantFrom('accepted' as const, 'rejected' as const),
  decisions: fc.array(componentDecision, { maxLength: 4 }),
  fluxMeters: fc.subarray(meters),
  // Keys include array indices, which JSON.stringify writes first, and prototype names.
  labels: fc
    .dictionary(fc.oneof(anyString, fc.constantFrom('1', '0', '10', 'toString', 'http.path')), anyString, {
      maxKeys: 8,
    })
    .map((labels) => ({ ...labels })),
  startedAtMs: anyNumber,
  processingMs: anyNumber,
});

test('the encoder writes the bytes of encodeDecisionRecord for any record, its caches warm or cold', () => {
  const encoder = new DecisionRecordEncoder();
  fc.assert(
    fc.property(fc.array(parts, { minLength: 1, maxLength: 5 }), (checks) => {
      for (const check of checks)
        assert.equal(encoder.encode(check), encodeDecisionRecord(decisionRecordOf(check)));
    }),
    { seed: 20_251_125, numRuns: 2000 },
  );
});

test('an encoded record decodes back to the record of its parts', () => {
  const decision: ComponentDecision = {
    identity: { policyName: 'p', policyHash: 'h1', componentId: 'ls' },
    kind: 'load-scheduler',
    admitted: true,
    enforced: true,
    reason: 'queued-then-admitted',
    deniedStatusCode: 503,
    workload: 'guests',
    tokens: 2,
    queuedMs: 12.3456789,
  };
  const check: DecisionRecordParts = {
    controlPoint: 'ingress',
    services: ['orders'],
    decision: 'accepted',
    decisions: [decision],
    fluxMeters: meters,
    labels: { 'http.method': 'GET', 'user-type': 'guest' },
    startedAtMs: 1_764_000_000_000,
    processingMs: 12.5,
  };
  const record = decodeDecisionRecord(new DecisionRecordEncoder().encode(check));
  assert.deepEqual(record, decisionRecordOf(check));
  assert.equal(record.components[0]?.queuedMs, 12.346, 'queue time rounded to the microsecond');
});

test('a record longer than the scratch buffer is encoded whole', () => {
  const encoder = new DecisionRecordEncoder();
  const check: DecisionRecordParts = {
    controlPoint: 'ingress',
    services: [],
    decision: 'accepted',
    decisions: [],
    fluxMeters: [],
    labels: { big: 'é'.repeat(70_000), small: 'x' },
    startedAtMs: 0,
    processingMs: 0,
  };
  for (const labels of [check.labels, { big: 'a'.repeat(30_000) }, { big: 'ü'.repeat(21_000) }]) {
    const withLabels = { ...check, labels };
    assert.equal(encoder.encode(withLabels), encodeDecisionRecord(decisionRecordOf(withLabels)));
  }
});
