import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideFromError, decideFromResponse } from '../src/authz-decision.js';
import { envoyStatusCodeOf } from '../src/authz-client.js';
import { jsonToStruct } from '../src/struct-value.js';

const options = { statusCodeOf: envoyStatusCodeOf, checkDurationMs: 12.7 };

describe('decideFromResponse', () => {
  it('allows on OK with header mutations, and adds ext_authz_duration to dynamic metadata', () => {
    const decision = decideFromResponse(
      {
        status: {},
        http_response: 'ok_response',
        ok_response: {
          headers: [{ header: { key: 'baggage', value: 'user=a' }, append: { value: false } }],
          headers_to_remove: ['x-internal'],
          response_headers_to_add: [{ header: { key: 'x-served-by', value: 'sluice' } }],
        },
        dynamic_metadata: jsonToStruct({ 'aperture.check_response': 'abc' }),
      },
      options,
    );
    assert.equal(decision.kind, 'allowed');
    if (decision.kind !== 'allowed') return;
    assert.deepEqual(decision.requestHeaders, [
      { name: 'baggage', value: 'user=a', action: 'overwrite-or-add' },
    ]);
    assert.deepEqual(decision.requestHeadersToRemove, ['x-internal']);
    assert.deepEqual(decision.responseHeaders, [
      { name: 'x-served-by', value: 'sluice', action: 'append-or-add' },
    ]);
    assert.deepEqual(decision.dynamicMetadata, { 'aperture.check_response': 'abc', ext_authz_duration: 12 });
  });

  it('adds no ext_authz_duration to an allowed request without dynamic metadata', () => {
    const decision = decideFromResponse({ status: { code: 0 } }, options);
    assert.equal(decision.kind === 'allowed' && decision.dynamicMetadata, undefined);
  });

  it('denies with the DeniedHttpResponse status, headers and body, keeping metadata without a duration', () => {
    const decision = decideFromResponse(
      {
        status: { code: 14 },
        http_response: 'denied_response',
        denied_response: {
          status: { code: 'TooManyRequests' },
          headers: [{ header: { key: 'retry-after', value: '2' } }],
          body: 'slow down',
        },
        dynamic_metadata: jsonToStruct({ 'aperture.check_response': 'abc' }),
      },
      options,
    );
    assert.deepEqual(decision, {
      kind: 'denied',
      status: 429,
      responseHeaders: [{ name: 'retry-after', value: '2', action: 'append-or-add' }],
      body: 'slow down',
      dynamicMetadata: { 'aperture.check_response': 'abc' },
    });
  });

  it('denies with 403 when the response carries no usable status', () => {
    for (const code of [undefined, 'Empty', 'NotAStatus', 42]) {
      const decision = decideFromResponse(
        { status: { code: 7 }, denied_response: { status: code === undefined ? undefined : { code } } },
        options,
      );
      assert.equal(decision.kind === 'denied' && decision.status, 403, `status code ${String(code)}`);
    }
    assert.equal(envoyStatusCodeOf('ServiceUnavailable'), 503);
  });
});

describe('decideFromError', () => {
  it('fails open, with the failure-mode header only when configured', () => {
    assert.deepEqual(
      decideFromError('boom', {
        failureModeAllow: true,
        failureModeAllowHeaderAdd: false,
        statusOnError: 403,
      }),
      {
        kind: 'failed-open',
        error: 'boom',
        requestHeaders: [],
      },
    );
    assert.deepEqual(
      decideFromError('boom', {
        failureModeAllow: true,
        failureModeAllowHeaderAdd: true,
        statusOnError: 403,
      }),
      {
        kind: 'failed-open',
        error: 'boom',
        requestHeaders: [
          { name: 'x-envoy-auth-failure-mode-allowed', value: 'true', action: 'overwrite-or-add' },
        ],
      },
    );
  });

  it('answers statusOnError when failing closed', () => {
    assert.deepEqual(
      decideFromError('boom', {
        failureModeAllow: false,
        failureModeAllowHeaderAdd: true,
        statusOnError: 503,
      }),
      {
        kind: 'failed-closed',
        error: 'boom',
        status: 503,
      },
    );
  });
});
