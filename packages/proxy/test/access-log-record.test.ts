import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { logsService } from '@sluice/spec/protos';
import type { AccessLogContext } from '../src/access-log-format.js';
import { AccessLogFormatter, estimateRecordBytes, exportRequest } from '../src/access-log-record.js';
import { APERTURE_ACCESS_LOG_ATTRIBUTES } from '../src/proxy-config.js';

const context: AccessLogContext = {
  requestHeaders: { ':method': 'GET' },
  responseHeaders: {},
  responseCode: 200,
  bytesReceived: 0,
  bytesSent: 2,
  durationMs: 12,
  requestDurationMs: 0,
  requestTxDurationMs: 1,
  responseDurationMs: 11,
  responseTxDurationMs: 1,
  protocol: 'HTTP/1.1',
  dynamicMetadata: new Map([
    ['envoy.filters.http.ext_authz', { 'aperture.check_response': 'abc', ext_authz_duration: 4 }],
  ]),
  upstreamHost: '127.0.0.1:8099',
  downstreamRemoteAddress: '127.0.0.1:5',
  downstreamLocalAddress: '127.0.0.1:6',
};

describe('access-log records', () => {
  it('builds the istioconfig record and an Export request that the real OTLP codec round-trips', () => {
    const record = new AccessLogFormatter({
      body: '%REQ(:METHOD)%',
      attributes: APERTURE_ACCESS_LOG_ATTRIBUTES,
    }).record(context, 1_700_000_000_000);
    assert.equal(record.body.string_value, 'GET');
    assert.equal(record.time_unix_nano, 1_700_000_000_000 * 1e6);
    assert.deepEqual(
      Object.fromEntries(record.attributes.map((attribute) => [attribute.key, attribute.value.string_value])),
      {
        'aperture.source': 'envoy',
        'aperture.check_response': 'abc',
        'http.status_code': '200',
        authz_duration: '4',
        BYTES_RECEIVED: '0',
        BYTES_SENT: '2',
        DURATION: '12',
        REQUEST_DURATION: '0',
        REQUEST_TX_DURATION: '1',
        RESPONSE_DURATION: '11',
        RESPONSE_TX_DURATION: '1',
      },
    );
    const method = logsService().service['Export'];
    assert.ok(method);
    const decoded = method.requestDeserialize(
      method.requestSerialize(exportRequest([record, record], 'egress')),
    ) as ReturnType<typeof exportRequest>;
    assert.equal(decoded.resource_logs[0]?.resource.attributes[0]?.value.string_value, 'egress');
    assert.equal(decoded.resource_logs[0]?.scope_logs[0]?.log_records.length, 2);
    assert.equal(
      decoded.resource_logs[0]?.scope_logs[0]?.log_records[0]?.attributes[1]?.value.string_value,
      'abc',
    );
  });

  it('estimates the encoded size closely enough to trigger 16 KiB flushes', () => {
    const record = new AccessLogFormatter({
      body: '%REQ(:METHOD)%',
      attributes: APERTURE_ACCESS_LOG_ATTRIBUTES,
    }).record(context, 0);
    const method = logsService().service['Export'];
    assert.ok(method);
    const one = method.requestSerialize(exportRequest([record], 'ingress')).length;
    const estimate = estimateRecordBytes(record);
    assert.ok(estimate >= one * 0.7 && estimate <= one * 1.5, `estimate ${estimate}, encoded ${one}`);
  });
});
