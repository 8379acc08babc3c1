import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { APERTURE_ACCESS_LOG_ATTRIBUTES, parseProxyConfig } from '../src/proxy-config.js';

const minimal = { upstream: { port: 8099 }, extAuthz: { target: '127.0.0.1:8080' } };

describe('parseProxyConfig', () => {
  it('resolves Envoy and istioconfig defaults', () => {
    const config = parseProxyConfig({ ...minimal, accessLog: { target: '127.0.0.1:8080' } });
    assert.deepEqual(config.listen, { host: '127.0.0.1', port: 0 });
    assert.equal(config.extAuthz.timeoutMs, 250);
    assert.equal(config.extAuthz.failureModeAllow, true);
    assert.equal(config.extAuthz.failureModeAllowHeaderAdd, false);
    assert.equal(config.extAuthz.statusOnError, 403);
    assert.deepEqual(config.extAuthz.withRequestBody, {
      maxRequestBytes: 8192,
      allowPartialMessage: true,
      packAsBytes: false,
    });
    assert.equal(config.extAuthz.controlPoint, 'ingress');
    assert.equal(config.extAuthz.controlPointMetadataKey, 'control-point');
    assert.deepEqual(config.extAuthz.credentialHeaders, [
      'authorization',
      'proxy-authorization',
      'cookie',
      'x-api-key',
      'api-key',
    ]);
    assert.equal(config.accessLog?.bufferFlushIntervalMs, 1000);
    assert.equal(config.accessLog?.bufferSizeBytes, 16384);
    assert.equal(config.accessLog?.body, '%REQ(:METHOD)%');
    assert.deepEqual(config.accessLog?.attributes, APERTURE_ACCESS_LOG_ATTRIBUTES);
    assert.equal(Object.keys(APERTURE_ACCESS_LOG_ATTRIBUTES).length, 11);
  });

  it('lower-cases header names and lets withRequestBody be switched off', () => {
    const config = parseProxyConfig({
      ...minimal,
      extAuthz: { target: 'agent:8080', allowedHeaders: ['Authorization'], withRequestBody: null },
    });
    assert.deepEqual(config.extAuthz.allowedHeaders, ['authorization']);
    assert.equal(config.extAuthz.withRequestBody, null);
  });

  it('names the path, the value and what is allowed', () => {
    assert.throws(
      () => parseProxyConfig({ ...minimal, extAuthz: { target: 'agent' } }, 'proxy.yaml'),
      /proxy\.yaml is invalid:\n {2}- extAuthz\.target: "agent" is not allowed; must be host:port/,
    );
    assert.throws(
      () => parseProxyConfig({ ...minimal, extAuthz: { target: 'a:1', timeoutMs: 0 } }),
      /extAuthz\.timeoutMs: 0 is not allowed; must be >= 1/,
    );
    assert.throws(
      () => parseProxyConfig({ ...minimal, extAuthz: { target: 'a:1', failureModeAlow: true } }),
      /extAuthz\.failureModeAlow: true is not allowed; unknown field/,
    );
    assert.throws(
      () =>
        parseProxyConfig({ ...minimal, accessLog: { target: 'a:1', attributes: { start: '%START_TIME%' } } }),
      /accessLog\.attributes\.start: "%START_TIME%" is not allowed; unsupported access-log command %START_TIME%/,
    );
  });
});
