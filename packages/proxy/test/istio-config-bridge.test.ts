import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IstioConfigValuesSchema } from '@sluice/spec';
import { istioAgentTarget, proxyConfigFromIstioValues } from '../src/istio-config-bridge.js';

describe('proxyConfigFromIstioValues', () => {
  it('carries the chart defaults into the proxy', () => {
    const values = IstioConfigValuesSchema.parse({});
    const config = proxyConfigFromIstioValues(values, { context: 'inbound', upstream: { port: 8099 } });
    assert.equal(config.extAuthz.target, 'sluice-agent.sluice-system.svc.cluster.local:8080');
    assert.equal(config.extAuthz.timeoutMs, 250);
    assert.equal(config.extAuthz.failureModeAllow, true);
    assert.equal(config.extAuthz.failureModeAllowHeaderAdd, true);
    assert.equal(config.extAuthz.statusOnError, 503);
    // Body buffering is off by default (it hangs streaming gRPC); on, the chart's numbers carry over.
    assert.equal(config.extAuthz.withRequestBody, null);
    const buffered = proxyConfigFromIstioValues(
      IstioConfigValuesSchema.parse({
        extAuthz: { requestBody: { enabled: true, workloadSelector: { labels: { app: 'classified' } } } },
      }),
      { context: 'inbound', upstream: { port: 8099 } },
    );
    assert.deepEqual(buffered.extAuthz.withRequestBody, {
      maxRequestBytes: 8192,
      allowPartialMessage: true,
      packAsBytes: false,
    });
    assert.equal(config.extAuthz.allowedHeaders, undefined);
    assert.deepEqual(config.extAuthz.disallowedHeaders, [
      'authorization',
      'proxy-authorization',
      'cookie',
      'x-api-key',
      'api-key',
    ]);
    assert.equal(config.extAuthz.controlPoint, 'ingress');
    assert.equal(config.accessLog?.logName, 'ingress');
    assert.equal(config.accessLog?.bufferFlushIntervalMs, 1000);
    assert.equal(config.accessLog?.bufferSizeBytes, 16384);
  });

  it('follows direction, sidecar mode, credential choice and body switch', () => {
    const values = IstioConfigValuesSchema.parse({
      sidecarMode: { enabled: true, port: 18080 },
      controlPoints: { outbound: 'calls-out' },
      extAuthz: {
        timeout: '0.5s',
        sendCredentialHeaders: true,
        allowedHeaders: ['user-type'],
        requestBody: { enabled: false },
        statusOnError: 'Forbidden',
      },
    });
    const config = proxyConfigFromIstioValues(values, {
      context: 'outbound',
      upstream: { port: 8099 },
      agentTarget: '127.0.0.1:9000',
    });
    assert.equal(istioAgentTarget(values), 'localhost:18080');
    assert.equal(config.extAuthz.target, '127.0.0.1:9000');
    assert.equal(config.extAuthz.timeoutMs, 500);
    assert.equal(config.extAuthz.statusOnError, 403);
    assert.equal(config.extAuthz.withRequestBody, null);
    assert.deepEqual(config.extAuthz.allowedHeaders, ['user-type']);
    assert.deepEqual(config.extAuthz.disallowedHeaders, []);
    assert.equal(config.extAuthz.controlPoint, 'calls-out');
    assert.equal(config.accessLog?.logName, 'egress');
  });

  it('derives the agent Service from another release as Helm does', () => {
    assert.equal(
      istioAgentTarget(IstioConfigValuesSchema.parse({ agent: { release: 'prod', namespace: 'ops' } })),
      'prod-sluice-agent.ops.svc.cluster.local:8080',
    );
  });
});
