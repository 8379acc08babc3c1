import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCheckRequest, resolveControlPoint } from '../src/check/check-request.js';

test('reads the HTTP attributes, lower-casing header names; absent fields are zero values', () => {
  const parsed = parseCheckRequest({
    attributes: {
      destination: { service: 'svc' },
      request: {
        http: {
          method: 'POST',
          path: '/a?b=1',
          host: 'h',
          scheme: 'https',
          protocol: 'HTTP/2',
          size: 12,
          headers: { 'X-Id': '7' },
          body: '{}',
        },
      },
      context_extensions: { 'control-point': 'route' },
    },
  });
  assert.deepEqual(parsed, {
    http: {
      method: 'POST',
      path: '/a?b=1',
      host: 'h',
      scheme: 'https',
      protocol: 'HTTP/2',
      size: 12,
      headers: { 'x-id': '7' },
      body: '{}',
    },
    destinationService: 'svc',
    contextControlPoint: 'route',
  });
  const empty = parseCheckRequest({});
  assert.deepEqual(empty.http, {
    method: '',
    path: '',
    host: '',
    scheme: '',
    protocol: '',
    size: 0,
    headers: {},
    body: '',
  });
});

test('a body packed as bytes is read as UTF-8; pseudo-headers fill missing attributes', () => {
  const parsed = parseCheckRequest({
    attributes: {
      request: {
        http: {
          raw_body: Buffer.from('{"a":1}'),
          headers: { ':method': 'PUT', ':path': '/x', ':authority': 'a:80' },
        },
      },
    },
  });
  assert.equal(parsed.http.body, '{"a":1}');
  assert.deepEqual([parsed.http.method, parsed.http.path, parsed.http.host], ['PUT', '/x', 'a:80']);
});

test('control point precedence: metadata, then context extension, then the default', () => {
  const parsed = parseCheckRequest({ attributes: { context_extensions: { 'control-point': 'route' } } });
  assert.equal(resolveControlPoint('ingress', parsed, 'fallback'), 'ingress');
  assert.equal(resolveControlPoint(undefined, parsed, 'fallback'), 'route');
  assert.equal(resolveControlPoint('', parseCheckRequest({}), 'fallback'), 'fallback');
  assert.equal(resolveControlPoint(undefined, parseCheckRequest({}), undefined), undefined);
});
