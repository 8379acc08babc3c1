import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCheckResponse } from '../src/check/check-response.js';
import {
  decodeDecisionRecord,
  encodeDecisionRecord,
  type DecisionRecord,
} from '../src/check/decision-record.js';
import type { ComponentDecision } from '../src/pipeline/component-decision.js';

const record: DecisionRecord = {
  v: 1,
  controlPoint: 'ingress',
  services: [],
  decision: 'rejected',
  components: [
    {
      policyName: 'p',
      policyHash: 'h',
      componentId: 'dry',
      kind: 'rate-limiter',
      decision: 'rejected',
      dryRun: true,
      reason: 'rate-limited',
      tokens: 1,
      queuedMs: 0,
    },
    {
      policyName: 'p',
      policyHash: 'h',
      componentId: 'rl',
      kind: 'rate-limiter',
      decision: 'rejected',
      dryRun: false,
      reason: 'rate-limited',
      tokens: 1,
      queuedMs: 0,
    },
  ],
  fluxMeters: [],
  labels: {},
  startedAtMs: 0,
  processingMs: 1,
};
const rejection: ComponentDecision = {
  identity: { policyName: 'p', policyHash: 'h', componentId: 'rl' },
  kind: 'rate-limiter',
  admitted: false,
  enforced: true,
  reason: 'rate-limited',
  deniedStatusCode: 429,
  waitMs: 1500,
  tokens: 1,
  queuedMs: 0,
};

test('a rejection is a denied response with the status, retry-after and the metadata naming the enforcing component', () => {
  const response = buildCheckResponse({
    result: {
      kind: 'reject',
      decisions: [rejection],
      rejectedBy: rejection,
      statusCode: 429,
      retryAfterSeconds: 2,
    },
    controlPoint: 'ingress',
    encodedRecord: encodeDecisionRecord(record),
    baggage: 'x=1',
  });
  assert.equal(response.status.code, 14);
  assert.deepEqual(response.denied_response, {
    status: { code: 429 },
    headers: [{ header: { key: 'retry-after', value: '2' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
    body: '',
  });
  assert.equal(response.ok_response, undefined);
  assert.equal(response.dynamic_metadata.fields['sluice.rejected_by']?.stringValue, 'p/rl');
  assert.deepEqual(
    decodeDecisionRecord(response.dynamic_metadata.fields['aperture.check_response']?.stringValue ?? ''),
    record,
  );
});

test('an admission overwrites the upstream baggage header only when there is something to add', () => {
  const accepted = { ...record, decision: 'accepted' as const, components: [] };
  const withBaggage = buildCheckResponse({
    result: { kind: 'admit', decisions: [] },
    controlPoint: 'ingress',
    encodedRecord: encodeDecisionRecord(accepted),
    baggage: 'k=v,user=a',
  });
  assert.equal(withBaggage.status.code, 0);
  assert.deepEqual(Object.keys(withBaggage.dynamic_metadata.fields), [
    'aperture.check_response',
    'sluice.decision',
    'sluice.control_point',
  ]);
  assert.equal(withBaggage.dynamic_metadata.fields['sluice.decision']?.stringValue, 'accepted');
  assert.equal(withBaggage.dynamic_metadata.fields['sluice.control_point']?.stringValue, 'ingress');
  assert.deepEqual(withBaggage.ok_response?.headers, [
    { header: { key: 'baggage', value: 'k=v,user=a' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
  ]);
  assert.deepEqual(
    buildCheckResponse({
      result: { kind: 'admit', decisions: [] },
      controlPoint: 'ingress',
      encodedRecord: encodeDecisionRecord(accepted),
      baggage: undefined,
    }).ok_response?.headers,
    [],
  );
});
