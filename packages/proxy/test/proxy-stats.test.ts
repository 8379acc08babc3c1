import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyStats, renderPrometheus } from '../src/proxy-stats.js';

describe('ProxyStats', () => {
  it('counts by status and gRPC code and renders Prometheus text', () => {
    const stats = new ProxyStats();
    stats.increment('requests', 3);
    stats.denied(429);
    stats.denied(429);
    stats.error('DEADLINE_EXCEEDED');
    stats.increment('failureModeAllowed');
    const snapshot = stats.snapshot();
    stats.denied(503);
    // A snapshot is a copy: later counts do not show up in it.
    assert.deepEqual(snapshot.extAuthzDenied, { '429': 2 });
    const text = renderPrometheus(stats.snapshot());
    assert.match(text, /^sluice_proxy_requests_total 3$/m);
    assert.match(text, /^sluice_proxy_ext_authz_denied_total\{status="429"\} 2$/m);
    assert.match(text, /^sluice_proxy_ext_authz_denied_total\{status="503"\} 1$/m);
    assert.match(text, /^sluice_proxy_ext_authz_error_total\{grpc_status="DEADLINE_EXCEEDED"\} 1$/m);
    assert.match(
      text,
      /^# TYPE sluice_proxy_ext_authz_failure_mode_allowed_total counter\nsluice_proxy_ext_authz_failure_mode_allowed_total 1$/m,
    );
  });
});
