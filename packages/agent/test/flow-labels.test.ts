import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeFlowLabels, telemetryLabels } from '../src/flow-labels/flow-labels.js';

test('precedence is classifier > baggage > request, telemetry flag included', () => {
  const request = [
    { key: 'user', value: 'from-request', telemetry: false },
    { key: 'http.method', value: 'GET', telemetry: true },
  ];
  const baggage = [
    { key: 'user', value: 'from-baggage', telemetry: true },
    { key: 'tier', value: 'gold', telemetry: true },
  ];
  const classifier = [{ key: 'tier', value: 'silver', telemetry: false }];
  const labels = mergeFlowLabels(request, baggage, classifier);
  assert.equal(labels.values.user, 'from-baggage');
  assert.equal(labels.values.tier, 'silver');
  assert.deepEqual(telemetryLabels(labels), { 'http.method': 'GET', user: 'from-baggage' });
});
