import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompiledClassifier } from '@sluice/spec';
import { classify, LazyJsonBody } from '../src/classification/classifier.js';
import { resolveJsonPointer } from '../src/classification/json-pointer.js';
import { matchPathTemplate } from '../src/classification/path-template.js';
import type { HttpRequestAttributes } from '../src/flow-labels/request-labels.js';

const http: HttpRequestAttributes = {
  method: 'POST',
  path: '/tenants/acme/orders?x=1',
  host: 'shop',
  scheme: 'http',
  protocol: 'HTTP/1.1',
  size: 40,
  headers: { 'user-type': 'gold member; "vip"', 'content-type': 'application/json' },
  body: '{"user":{"id":42,"a/b":"slash"},"items":["x","y"]}',
};

const classifier: CompiledClassifier = {
  kind: 'classifier',
  policyName: 'p',
  policyHash: 'h',
  componentId: 'c',
  selectors: [{ controlPoint: 'ingress', service: 'any', agentGroup: 'default' }],
  rules: {
    user_type: { header: 'User-Type', telemetry: true, propagate: true },
    user_id: { jsonPointer: '/user/id', telemetry: false, propagate: false },
    tenant: { pathTemplate: '/tenants/{tenant}/orders', telemetry: true, propagate: false },
    missing: { header: 'x-none', telemetry: true, propagate: false },
  },
};

test('produces labels from header, JSON pointer and path template, sanitising values', () => {
  const result = classify(classifier, http, new LazyJsonBody(http));
  assert.deepEqual(
    result.labels.map((label) => [label.key, label.value, label.telemetry, label.propagate]),
    [
      ['user_type', 'gold-member---vip-', true, true],
      ['user_id', '42', false, false],
      ['tenant', 'acme', true, false],
    ],
  );
  assert.deepEqual(result.misses, [{ label: 'missing', reason: 'header-absent' }]);
});

test('a non-JSON or truncated body is a counted miss, not an error', () => {
  const truncated = { ...http, body: '{"user":{"id":4' };
  const result = classify(classifier, truncated, new LazyJsonBody(truncated));
  assert.ok(result.misses.some((miss) => miss.label === 'user_id' && miss.reason === 'body-not-json'));
});

test('JSON pointers follow RFC 6901 escaping and array indices', () => {
  const document = JSON.parse(http.body) as unknown;
  assert.equal(resolveJsonPointer(document, '/user/a~1b'), 'slash');
  assert.equal(resolveJsonPointer(document, '/items/1'), 'y');
  assert.equal(resolveJsonPointer(document, '/items/01'), undefined);
  assert.equal(resolveJsonPointer(document, '/user'), undefined, 'objects are not label values');
});

test('path templates need the same segment count and a non-empty capture', () => {
  assert.deepEqual(matchPathTemplate('/t/{a}/x/{b}', '/t/1/x/2'), { a: '1', b: '2' });
  assert.equal(matchPathTemplate('/t/{a}', '/t/'), undefined);
  assert.equal(matchPathTemplate('/t/{a}', '/t/1/2'), undefined);
  assert.equal(matchPathTemplate('/t/{a}', '/u/1'), undefined);
});
