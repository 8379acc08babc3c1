import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  headerLabelKey,
  httpFlavor,
  requestLabels,
  type HttpRequestAttributes,
} from '../src/flow-labels/request-labels.js';
import { mergeFlowLabels, telemetryLabels } from '../src/flow-labels/flow-labels.js';

const request: HttpRequestAttributes = {
  method: 'GET',
  path: '/foo/bar',
  host: 'example.com',
  scheme: 'https',
  protocol: 'HTTP/2',
  size: 9000,
  headers: { 'cache-control': 'max-age=0', ':authority': 'example.com', 'User-Agent': 'k6' },
  body: '',
};

test('derives Aperture-named labels from a CheckRequest (acceptance check 3)', () => {
  const labels = mergeFlowLabels(requestLabels(request));
  assert.equal(labels.values['http.method'], 'GET');
  assert.equal(labels.values['http.target'], '/foo/bar');
  assert.equal(labels.values['http.path'], '/foo/bar');
  assert.equal(labels.values['http.host'], 'example.com');
  assert.equal(labels.values['http.scheme'], 'https');
  assert.equal(labels.values['http.flavor'], '2.0');
  assert.equal(labels.values['http.request_content_length'], '9000');
  assert.equal(labels.values['http.request.header.cache_control'], 'max-age=0');
  assert.equal(labels.values['http.request.header.user_agent'], 'k6');
  assert.equal(labels.values['http.request.header.:authority'], undefined, 'pseudo-headers are skipped');
});

test('only the HTTP attribute labels are telemetry; headers and size are not exported', () => {
  const labels = mergeFlowLabels(requestLabels(request));
  assert.deepEqual(Object.keys(telemetryLabels(labels)), [
    'http.flavor',
    'http.host',
    'http.method',
    'http.path',
    'http.scheme',
    'http.target',
  ]);
});

test('http.path drops the query string that http.target keeps', () => {
  const labels = mergeFlowLabels(requestLabels({ ...request, path: '/search?q=1&r=2' }));
  assert.equal(labels.values['http.target'], '/search?q=1&r=2');
  assert.equal(labels.values['http.path'], '/search');
});

test('unknown size (-1) gives no content-length label', () => {
  const labels = mergeFlowLabels(requestLabels({ ...request, size: -1 }));
  assert.equal(labels.values['http.request_content_length'], undefined);
});

test('flavor mapping follows OpenTelemetry and passes unknown protocols through', () => {
  assert.deepEqual(['HTTP/1.0', 'HTTP/1.1', 'HTTP/2', 'HTTP/3', 'SPDY'].map(httpFlavor), [
    '1.0',
    '1.1',
    '2.0',
    '3.0',
    'SPDY',
  ]);
  assert.equal(headerLabelKey('X-User-Id'), 'http.request.header.x_user_id');
});

test("scope 'telemetry' gives the HTTP attribute labels only, the same as 'all' gives them", () => {
  const all = requestLabels(request);
  const telemetry = requestLabels(request, 'telemetry');
  assert.deepEqual(
    telemetry,
    all.filter((label) => label.telemetry),
  );
  assert.deepEqual(
    telemetry.map((label) => label.key),
    ['http.method', 'http.target', 'http.path', 'http.host', 'http.scheme', 'http.flavor'],
  );
});
