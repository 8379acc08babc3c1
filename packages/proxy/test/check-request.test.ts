import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCheckRequest, type CheckRequestInput, type CheckRequestOptions } from '../src/check-request.js';
import { DEFAULT_CREDENTIAL_HEADERS, HeaderFilter } from '../src/header-filter.js';

const input: CheckRequestInput = {
  headers: {
    ':authority': 'service1.demo:8099',
    ':path': '/request?x=1',
    ':method': 'POST',
    ':scheme': 'http',
    'content-type': 'application/json',
    'user-type': 'subscriber',
    authorization: 'Bearer secret',
    'x-request-id': 'req-1',
  },
  protocol: 'HTTP/1.1',
  source: { address: '127.0.0.1', port: 51000 },
  destination: { address: '127.0.0.1', port: 10000 },
  startTimeMs: 1_700_000_000_123.5,
  bufferedBody: undefined,
  bytesReceived: 0,
};

const options: CheckRequestOptions = {
  headerFilter: new HeaderFilter({
    allowedHeaders: undefined,
    disallowedHeaders: [],
    credentialHeaders: DEFAULT_CREDENTIAL_HEADERS,
  }),
  maxRequestBytes: 8192,
  packAsBytes: false,
  contextExtensions: { 'control-point': 'ingress' },
};

describe('buildCheckRequest', () => {
  it('fills the AttributeContext as Envoy does', () => {
    const request = buildCheckRequest(input, options);
    assert.deepEqual(request.attributes?.source, {
      address: { socket_address: { address: '127.0.0.1', port_value: 51000 } },
    });
    assert.deepEqual(request.attributes?.destination, {
      address: { socket_address: { address: '127.0.0.1', port_value: 10000 } },
    });
    assert.deepEqual(request.attributes?.request?.time, { seconds: 1_700_000_000, nanos: 123_500_000 });
    assert.deepEqual(request.attributes?.context_extensions, { 'control-point': 'ingress' });
    const http = request.attributes?.request?.http;
    assert.equal(http?.id, 'req-1');
    assert.equal(http?.method, 'POST');
    assert.equal(http?.path, '/request?x=1');
    assert.equal(http?.host, 'service1.demo:8099');
    assert.equal(http?.scheme, 'http');
    assert.equal(http?.protocol, 'HTTP/1.1');
    assert.equal(http?.size, 0);
    assert.equal(http?.body, undefined);
    assert.deepEqual(http?.headers, {
      ':authority': 'service1.demo:8099',
      ':path': '/request?x=1',
      ':method': 'POST',
      ':scheme': 'http',
      'content-type': 'application/json',
      'user-type': 'subscriber',
      'x-request-id': 'req-1',
    });
  });

  it('sends a short body whole with x-envoy-auth-partial-body: false', () => {
    const body = Buffer.from('{"user":"a"}');
    const http = buildCheckRequest({ ...input, bufferedBody: body, bytesReceived: body.length }, options)
      .attributes?.request?.http;
    assert.equal(http?.body, '{"user":"a"}');
    assert.equal(http?.size, 12);
    assert.equal(http?.headers?.['x-envoy-auth-partial-body'], 'false');
  });

  it('cuts a long body at maxRequestBytes with x-envoy-auth-partial-body: true', () => {
    const body = Buffer.alloc(10_000, 'a');
    const http = buildCheckRequest({ ...input, bufferedBody: body, bytesReceived: 10_000 }, options)
      .attributes?.request?.http;
    assert.equal(http?.body?.length, 8192);
    assert.equal(http?.size, 10_000);
    assert.equal(http?.headers?.['x-envoy-auth-partial-body'], 'true');
  });

  it('packs the body as raw bytes when asked', () => {
    const body = Buffer.from([0xff, 0x00, 0x01]);
    const http = buildCheckRequest(
      { ...input, bufferedBody: body, bytesReceived: 3 },
      { ...options, packAsBytes: true },
    ).attributes?.request?.http;
    assert.equal(http?.body, undefined);
    assert.deepEqual([...(http?.raw_body ?? [])], [0xff, 0x00, 0x01]);
  });
});
