import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidControlPoint, isValidServiceName, SYNC_MAX_MESSAGE_BYTES } from '../src/index.js';
import { MAX_CONTROL_POINT_LENGTH, MAX_SERVICE_NAME_LENGTH } from '../src/flow-policy/flow-names.js';

test("Aperture's and Sluice's control points are valid", () => {
  for (const name of ['ingress', 'egress', 'awesome-feature', 'checkout:submit', 'api/v1', 'Cp_2.x'])
    assert.equal(isValidControlPoint(name), true, name);
});

test('control points are 1-128 characters of A-Z a-z 0-9 . _ : / -, starting alphanumeric', () => {
  assert.equal(MAX_CONTROL_POINT_LENGTH, 128);
  assert.equal(isValidControlPoint('c'.repeat(128)), true);
  for (const name of [
    '',
    'c'.repeat(129),
    '-ingress',
    '.x',
    'in gress',
    'a\nb',
    'é',
    'a{b}',
    'a"b',
    'x'.repeat(1 << 20),
  ])
    assert.equal(isValidControlPoint(name), false, JSON.stringify(name.slice(0, 20)));
});

test('service names are host names and cluster names up to 253 characters', () => {
  assert.equal(MAX_SERVICE_NAME_LENGTH, 253);
  for (const name of [
    'reviews.default',
    'service1-demo-app.demoapp.svc.cluster.local',
    '127.0.0.1',
    'outbound|80||checkout',
    's'.repeat(253),
  ])
    assert.equal(isValidServiceName(name), true, name);
  for (const name of ['', 's'.repeat(254), '[::1]', 'evil host', 'a<b>', '_x'])
    assert.equal(isValidServiceName(name), false, name);
});

test('AgentSync messages are limited to 4 MiB on both ends', () => {
  assert.equal(SYNC_MAX_MESSAGE_BYTES, 4_194_304);
});
