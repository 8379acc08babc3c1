import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_TELEMETRY_VALUE_LENGTH,
  mergeFlowLabels,
  telemetryLabels,
} from '../src/flow-labels/flow-labels.js';

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

test('telemetry values past 1024 characters are cut and marked, so a huge path cannot swell the CheckResponse', () => {
  const labels = mergeFlowLabels([
    { key: 'http.target', value: `/${'p'.repeat(2_000_000)}`, telemetry: true },
    { key: 'short', value: 'x'.repeat(MAX_TELEMETRY_VALUE_LENGTH), telemetry: true },
  ]);
  const exported = telemetryLabels(labels);
  assert.equal(exported['http.target']?.length, 1024);
  assert.ok(exported['http.target']?.endsWith('p…'));
  assert.equal(exported.short?.length, 1024, 'exactly at the limit: unchanged');
  assert.ok(!exported.short?.endsWith('…'));
});
