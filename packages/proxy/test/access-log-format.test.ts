import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatAccessLogValue, parseFormatString, type AccessLogContext } from '../src/access-log-format.js';

const context: AccessLogContext = {
  requestHeaders: { ':method': 'POST', ':path': '/request', 'user-type': 'guest' },
  responseHeaders: { 'retry-after': '2' },
  responseCode: 429,
  bytesReceived: 12,
  bytesSent: 0,
  durationMs: 7.9,
  requestDurationMs: 1.2,
  requestTxDurationMs: undefined,
  responseDurationMs: undefined,
  responseTxDurationMs: undefined,
  protocol: 'HTTP/1.1',
  dynamicMetadata: new Map([
    [
      'envoy.filters.http.ext_authz',
      { 'aperture.check_response': 'Q2hlY2s=', ext_authz_duration: 3, nested: { a: [1, 'b'] } },
    ],
  ]),
  upstreamHost: undefined,
  downstreamRemoteAddress: '127.0.0.1:5000',
  downstreamLocalAddress: '127.0.0.1:10000',
};

function render(format: string, overrides: Partial<AccessLogContext> = {}): string {
  return formatAccessLogValue(parseFormatString(format), { ...context, ...overrides });
}

describe('access-log format strings', () => {
  it('renders the istioconfig operators as Envoy does', () => {
    assert.equal(render('%RESPONSE_CODE%'), '429');
    assert.equal(render('%BYTES_RECEIVED%'), '12');
    assert.equal(render('%BYTES_SENT%'), '0');
    // Durations are truncated to whole milliseconds.
    assert.equal(render('%DURATION%'), '7');
    assert.equal(render('%REQUEST_DURATION%'), '1');
    assert.equal(render('%REQ(:METHOD)%'), 'POST');
    assert.equal(render('%RESP(Retry-After)%'), '2');
    assert.equal(render('%PROTOCOL%'), 'HTTP/1.1');
  });

  it('renders unset values as "-"', () => {
    assert.equal(render('%RESPONSE_DURATION%'), '-');
    assert.equal(render('%REQUEST_TX_DURATION%'), '-');
    assert.equal(render('%REQ(x-missing)%'), '-');
    assert.equal(render('%DYNAMIC_METADATA(envoy.filters.http.ext_authz:missing)%'), '-');
    assert.equal(
      render('%DYNAMIC_METADATA(envoy.filters.http.ext_authz:ext_authz_duration)%', {
        dynamicMetadata: new Map(),
      }),
      '-',
    );
    assert.equal(render('%UPSTREAM_HOST%'), '-');
    assert.equal(render('%RESPONSE_CODE%', { responseCode: undefined }), '0');
  });

  it('prints dynamic metadata strings as they are and other values as JSON', () => {
    assert.equal(
      render('%DYNAMIC_METADATA(envoy.filters.http.ext_authz:aperture.check_response)%'),
      'Q2hlY2s=',
    );
    assert.equal(render('%DYNAMIC_METADATA(envoy.filters.http.ext_authz:ext_authz_duration)%'), '3');
    assert.equal(render('%DYNAMIC_METADATA(envoy.filters.http.ext_authz:nested:a)%'), '[1,"b"]');
  });

  it('keeps literal text, falls back with REQ(X?Y) and truncates with :N', () => {
    assert.equal(render('envoy'), 'envoy');
    assert.equal(render('%REQ(:METHOD)% %REQ(:PATH)% -> %RESPONSE_CODE%'), 'POST /request -> 429');
    assert.equal(render('%REQ(x-user?user-type)%'), 'guest');
    assert.equal(render('%REQ(:PATH):3%'), '/re');
  });

  it('rejects unknown and malformed commands with the supported list', () => {
    assert.throws(
      () => parseFormatString('%START_TIME%'),
      /unsupported access-log command %START_TIME% in "%START_TIME%"; supported: RESPONSE_CODE/,
    );
    assert.throws(() => parseFormatString('%REQ()%'), /%REQ\(\.\.\.\)% needs a header name/);
    assert.throws(
      () => parseFormatString('%RESPONSE_CODE'),
      /malformed command in access-log format "%RESPONSE_CODE"/,
    );
  });
});
