import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesLabels } from '../src/selection/label-matcher.js';

const labels = { 'http.method': 'GET', user_type: 'guest' };

test('an absent or empty matcher matches everything', () => {
  assert.equal(matchesLabels(undefined, labels), true);
  assert.equal(matchesLabels({}, {}), true);
});

test('matchLabels needs every pair equal', () => {
  assert.equal(matchesLabels({ matchLabels: { user_type: 'guest' } }, labels), true);
  assert.equal(matchesLabels({ matchLabels: { user_type: 'guest', 'http.method': 'POST' } }, labels), false);
  assert.equal(matchesLabels({ matchLabels: { missing: '' } }, labels), false);
});

test('expressions follow Kubernetes selector semantics', () => {
  const cases: Array<[Parameters<typeof matchesLabels>[0], boolean]> = [
    [{ matchExpressions: [{ key: 'user_type', operator: 'In', values: ['guest', 'x'] }] }, true],
    [{ matchExpressions: [{ key: 'user_type', operator: 'In', values: ['subscriber'] }] }, false],
    [{ matchExpressions: [{ key: 'absent', operator: 'In', values: ['a'] }] }, false],
    [{ matchExpressions: [{ key: 'user_type', operator: 'NotIn', values: ['guest'] }] }, false],
    [{ matchExpressions: [{ key: 'absent', operator: 'NotIn', values: ['a'] }] }, true],
    [{ matchExpressions: [{ key: 'user_type', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'absent', operator: 'Exists' }] }, false],
    [{ matchExpressions: [{ key: 'absent', operator: 'DoesNotExist' }] }, true],
    [{ matchExpressions: [{ key: 'user_type', operator: 'DoesNotExist' }] }, false],
  ];
  for (const [matcher, expected] of cases)
    assert.equal(matchesLabels(matcher, labels), expected, JSON.stringify(matcher));
});
