import assert from 'node:assert/strict';
import { test } from 'node:test';
import { status, type ServiceError } from '@grpc/grpc-js';
import {
  DECISION_METADATA_KEY,
  decodeDecisionRecord,
  encodeDecisionRecord,
  type DecisionRecordV2,
} from '../src/check/decision-record.js';
import type { CheckResponseMessage } from '../src/check/check-response.js';
import { Redis } from 'ioredis';
import { accessLogExport, checkRequest, startAgent } from './support/agent-harness.js';
import { checkClient } from './support/check-client.js';
import { RedisServer } from '@sluice/testkit';
import { fluxMeterConfig, loadSchedulerConfig, rateLimiterConfig } from './support/compiled-components.js';
import { RecordSigner } from './support/record-signer.js';

function record(response: CheckResponseMessage) {
  const encoded = response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue;
  assert.ok(encoded, 'decision metadata present');
  return decodeDecisionRecord(encoded);
}

test('with no policies Check admits with OK and decision metadata (acceptance check 5)', async () => {
  const h = await startAgent();
  try {
    const response = await h.check(
      checkRequest({ path: '/foo/bar', headers: { 'cache-control': 'max-age=0' } }),
      { controlPoint: 'ingress' },
    );
    assert.equal(response.status.code, 0);
    assert.equal(response.dynamic_metadata.fields['sluice.decision']?.stringValue, 'accepted');
    const decision = record(response);
    assert.equal(decision.decision, 'accepted');
    assert.equal(decision.controlPoint, 'ingress');
    assert.equal(decision.labels['http.target'], '/foo/bar');
    assert.equal(
      decision.labels['http.request.header.cache_control'],
      undefined,
      'header labels are not telemetry',
    );
    assert.deepEqual(decision.services, ['service1-demo-app.demoapp.svc.cluster.local']);
  } finally {
    await h.close();
  }
});

test('a Check without a control point is INVALID_ARGUMENT; the context extension and the default are used in order (acceptance check 4)', async () => {
  const h = await startAgent();
  try {
    await assert.rejects(
      h.check(checkRequest()),
      (error: ServiceError) =>
        error.code === status.INVALID_ARGUMENT && /missing control-point/.test(error.details),
    );
    const fromExtension = await h.check(checkRequest({}, { 'control-point': 'route-cp' }));
    assert.equal(record(fromExtension).controlPoint, 'route-cp');
    const fromMetadata = await h.check(checkRequest({}, { 'control-point': 'route-cp' }), {
      controlPoint: 'ingress',
    });
    assert.equal(record(fromMetadata).controlPoint, 'ingress', 'metadata wins over the context extension');
  } finally {
    await h.close();
  }
  const withDefault = await startAgent({ defaultControlPoint: 'istio-custom' });
  try {
    assert.equal(record(await withDefault.check(checkRequest())).controlPoint, 'istio-custom');
  } finally {
    await withDefault.close();
  }
});

test('rate limit: 429 with retry-after in whole seconds; a flow without the label passes (acceptance check 6)', async () => {
  const h = await startAgent();
  try {
    h.agent.registry.replaceAll([
      {
        policyName: 'policy',
        policyHash: 'hash-1',
        components: [
          rateLimiterConfig({
            bucketCapacity: 2,
            fillAmount: 1,
            intervalMs: 10_000,
            limitByLabelKey: 'http.request.header.user_id',
          }),
        ],
      },
    ]);
    const asAlice = () =>
      h.check(checkRequest({ headers: { 'user-id': 'alice' } }), { controlPoint: 'ingress' });
    assert.equal((await asAlice()).status.code, 0);
    assert.equal((await asAlice()).status.code, 0);
    const denied = await asAlice();
    assert.notEqual(denied.status.code, 0);
    assert.equal(
      denied.denied_response?.status.code,
      'TooManyRequests' as unknown as number,
      'HttpStatus arrives as its enum name',
    );
    const retryAfter = Number(
      denied.denied_response?.headers.find((h) => h.header.key === 'retry-after')?.header.value,
    );
    assert.ok(retryAfter >= 9 && retryAfter <= 10, `retry-after ${retryAfter}`);
    assert.equal(record(denied).decision, 'rejected');
    assert.equal(record(denied).components[0]?.reason, 'rate-limited');
    assert.equal(
      (await h.check(checkRequest(), { controlPoint: 'ingress' })).status.code,
      0,
      'no user-id: admitted',
    );
    const metrics = (await h.http('/metrics')).body;
    assert.match(
      metrics,
      /sluice_agent_rate_limiter_decision_source_total\{policy_name="policy",component_id="limiter",source="local"\} 3/,
    );
    assert.match(
      metrics,
      /sluice_agent_component_decisions_total\{policy_name="policy",component_id="limiter",kind="rate-limiter",decision="accepted",reason="label-missing",dry_run="false"\} 1/,
    );
  } finally {
    await h.close();
  }
});

test('classifier labels drive workloads and only propagating ones go into upstream baggage', async () => {
  const h = await startAgent();
  try {
    h.agent.registry.replaceAll([
      {
        policyName: 'policy',
        policyHash: 'hash-1',
        components: [
          {
            kind: 'classifier',
            policyName: 'policy',
            policyHash: 'hash-1',
            componentId: 'classifier',
            selectors: [{ controlPoint: 'ingress', service: 'any', agentGroup: 'default' }],
            rules: {
              user_type: { header: 'user-type', telemetry: true, propagate: true },
              tenant: { pathTemplate: '/t/{tenant}', telemetry: true, propagate: false },
            },
          },
          loadSchedulerConfig({
            workloads: [
              {
                name: 'guests',
                labelMatcher: { matchLabels: { user_type: 'guest' } },
                priority: 1,
                tokens: 1,
              },
            ],
          }),
        ],
      },
    ]);
    const response = await h.check(
      checkRequest({ path: '/t/acme', headers: { 'user-type': 'guest', baggage: 'user_type=spoofed,k=v' } }),
      { controlPoint: 'ingress' },
    );
    assert.equal(response.status.code, 0);
    assert.deepEqual(
      response.ok_response?.headers.map((h) => [h.header.key, h.header.value]),
      [['baggage', 'user_type=spoofed,k=v,user_type=guest']],
    );
    const decision = record(response);
    assert.equal(decision.labels.user_type, 'guest', 'classifier beats baggage');
    assert.equal(decision.labels.k, 'v');
    assert.equal(decision.labels.tenant, 'acme');
    assert.equal(decision.components[0]?.workload, 'guests');
  } finally {
    await h.close();
  }
});

test('access logs feed flux meters (latency = response − ext_authz duration) and control points; malformed records are counted', async () => {
  const h = await startAgent();
  try {
    h.agent.registry.replaceAll([
      { policyName: 'policy', policyHash: 'hash-1', components: [fluxMeterConfig()] },
    ]);
    for (const latencyMs of [40, 60, 120]) {
      // One Check per flow, as Envoy makes them: each record is read once. Envoy's ext_authz time
      // includes the agent's own, which a busy machine can stretch.
      const response = await h.check(checkRequest(), { controlPoint: 'ingress' });
      const encoded = response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue ?? '';
      const authzMs = Math.ceil(record(response).processingMs) + 10;
      await h.exportLogs(
        accessLogExport({
          'aperture.source': 'envoy',
          [DECISION_METADATA_KEY]: encoded,
          'http.status_code': '200',
          RESPONSE_DURATION: String(authzMs + latencyMs),
          authz_duration: String(authzMs),
        }),
      );
    }
    const partial = await h.exportLogs(
      accessLogExport({ [DECISION_METADATA_KEY]: 'garbage!', 'http.status_code': '200' }),
    );
    assert.deepEqual(partial, {
      partial_success: { rejected_log_records: 1, error_message: 'malformed access-log records dropped' },
    });
    await h.exportLogs(accessLogExport({ [DECISION_METADATA_KEY]: '-', 'http.status_code': '403' }));
    const metrics = (await h.http('/metrics')).body;
    const series =
      'flux_meter_name="policy",policy_name="policy",decision_type="accepted",http_status_code="200",flow_status="OK",stalled="false"';
    assert.ok(metrics.includes(`sluice_agent_flux_meter_ms_count{${series}} 3`), 'count 3');
    assert.ok(metrics.includes(`sluice_agent_flux_meter_ms_sum{${series}} 220`), 'sum 40+60+120');
    assert.ok(metrics.includes(`sluice_agent_flux_meter_ms_bucket{le="50",${series}} 1`));
    assert.ok(metrics.includes(`sluice_agent_flux_meter_ms_bucket{le="100",${series}} 2`));
    assert.ok(metrics.includes(`sluice_agent_flux_meter_ms_bucket{le="250",${series}} 3`));
    assert.match(metrics, /sluice_agent_access_log_records_total\{outcome="malformed"\} 1/);
    assert.match(metrics, /sluice_agent_access_log_records_total\{outcome="no-decision"\} 1/);
    assert.match(metrics, /^sluice_agent_record_key_ephemeral 0$/m);
    const points = JSON.parse((await h.http('/v1/control-points')).body) as {
      controlPoints: Array<Record<string, string>>;
    };
    assert.deepEqual(points.controlPoints, [
      {
        agentGroup: 'default',
        controlPoint: 'ingress',
        service: 'service1-demo-app.demoapp.svc.cluster.local',
        type: 'http',
      },
    ]);
  } finally {
    await h.close();
  }
});

test('a Check’s record is metered once: replayed with forged durations, as v1, or under another key it is refused and counted', async () => {
  const h = await startAgent();
  try {
    h.agent.registry.replaceAll([
      { policyName: 'policy', policyHash: 'hash-1', components: [fluxMeterConfig()] },
    ]);
    const response = await h.check(checkRequest(), { controlPoint: 'ingress' });
    const encoded = response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue ?? '';
    assert.match(encoded, /^2\./);
    const authzMs = Math.ceil(record(response).processingMs);
    const honest = {
      [DECISION_METADATA_KEY]: encoded,
      'http.status_code': '200',
      RESPONSE_DURATION: String(authzMs + 10),
      authz_duration: String(authzMs),
    };
    assert.deepEqual(await h.exportLogs(accessLogExport(honest)), {});
    const forged = { ...honest, RESPONSE_DURATION: '5000', authz_duration: '0' };
    assert.deepEqual(await h.exportLogs(accessLogExport(forged)), {
      partial_success: {
        rejected_log_records: 1,
        error_message: 'access-log records whose decision record did not verify refused',
      },
    });
    const {
      v: _v,
      flowId: _flowId,
      nonce: _nonce,
      keyId: _keyId,
      ...decision
    } = record(response) as DecisionRecordV2;
    const v1 = encodeDecisionRecord({ v: 1, ...decision });
    await h.exportLogs(accessLogExport({ ...honest, [DECISION_METADATA_KEY]: v1 }));
    await h.exportLogs(accessLogExport({ ...honest, [DECISION_METADATA_KEY]: new RecordSigner().sign() }));
    // The test signs with the agent's key file: a fresh record of its own is believed.
    await h.exportLogs(
      accessLogExport({ ...honest, [DECISION_METADATA_KEY]: h.signer.sign({ processingMs: authzMs }) }),
    );
    const metrics = (await h.http('/metrics')).body;
    const series =
      'flux_meter_name="policy",policy_name="policy",decision_type="accepted",http_status_code="200",flow_status="OK",stalled="false"';
    assert.ok(
      metrics.includes(`sluice_agent_flux_meter_ms_count{${series}} 2`),
      'the honest flow and the signed one',
    );
    assert.ok(metrics.includes(`sluice_agent_flux_meter_ms_sum{${series}} 20`));
    for (const reason of ['replayed', 'v1-record', 'unknown-key'])
      assert.match(
        metrics,
        new RegExp(`^sluice_agent_access_log_records_refused_total\\{reason="${reason}"\\} 1$`, 'm'),
      );
    assert.match(metrics, /^sluice_agent_access_log_records_total\{outcome="refused"\} 3$/m);
  } finally {
    await h.close();
  }
});

test('without recordKeyFile the agent signs with an ephemeral key, exported as a gauge, and still reads its own records', async () => {
  const h = await startAgent({ recordKeyFile: undefined });
  try {
    h.agent.registry.replaceAll([
      { policyName: 'policy', policyHash: 'hash-1', components: [fluxMeterConfig()] },
    ]);
    const response = await h.check(checkRequest(), { controlPoint: 'ingress' });
    const encoded = response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue ?? '';
    const authz = String(Math.ceil(record(response).processingMs));
    await h.exportLogs(
      accessLogExport({ [DECISION_METADATA_KEY]: encoded, RESPONSE_DURATION: '9', authz_duration: authz }),
    );
    await h.exportLogs(
      accessLogExport({
        [DECISION_METADATA_KEY]: h.signer.sign(),
        RESPONSE_DURATION: '9',
        authz_duration: authz,
      }),
    );
    const metrics = (await h.http('/metrics')).body;
    assert.match(metrics, /^sluice_agent_record_key_ephemeral 1$/m);
    assert.match(metrics, /^sluice_agent_access_log_records_total\{outcome="flow"\} 1$/m);
    assert.match(metrics, /^sluice_agent_access_log_records_refused_total\{reason="unknown-key"\} 1$/m);
  } finally {
    await h.close();
  }
});

test('access logs past accessLogMaxRecordsPerSecond are dropped, counted and reported as OTLP partial success', async () => {
  const h = await startAgent({ accessLogMaxRecordsPerSecond: 2 });
  try {
    const records: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await h.check(checkRequest(), { controlPoint: 'ingress' });
      records.push(response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue ?? '');
    }
    const batch = accessLogExport({ [DECISION_METADATA_KEY]: records[0] ?? '', RESPONSE_DURATION: '9' });
    const logs = batch.resource_logs[0]?.scope_logs[0]?.log_records ?? [];
    const [one] = logs;
    assert.ok(one);
    for (const encoded of records.slice(1))
      logs.push({ ...one, attributes: [{ key: DECISION_METADATA_KEY, value: { string_value: encoded } }] });
    assert.deepEqual(await h.exportLogs(batch), {
      partial_success: {
        rejected_log_records: 1,
        error_message: 'access-log records over the agent budget dropped',
      },
    });
    const metrics = (await h.http('/metrics')).body;
    assert.match(metrics, /^sluice_agent_access_log_records_dropped_total 1$/m);
    assert.match(metrics, /^sluice_agent_access_log_records_total\{outcome="flow"\} 2$/m);
    assert.match(metrics, /^sluice_agent_access_log_peers 1$/m);
  } finally {
    await h.close();
  }
});

test('health, readiness and metrics endpoints; the Check latency histogram is exported', async () => {
  const h = await startAgent();
  await h.check(checkRequest(), { controlPoint: 'ingress' });
  assert.deepEqual(await h.http('/healthz'), { status: 200, body: 'ok\n' });
  assert.deepEqual(await h.http('/readyz'), { status: 200, body: 'ready\n' });
  assert.match(
    (await h.http('/metrics')).body,
    /sluice_agent_check_duration_seconds_count\{decision="accepted"\} 1/,
  );
  assert.equal((await h.http('/nope')).status, 404);
  await h.close();
});

test('after stop the port refuses new Checks (Envoy fails open to its other endpoints)', async () => {
  const h = await startAgent();
  const client = checkClient(`127.0.0.1:${h.ports.grpcPort}`);
  const call = (deadlineMs: number) => client.check(checkRequest(), { controlPoint: 'ingress', deadlineMs });
  assert.equal((await call(2000)).status.code, 0);
  await h.close();
  await assert.rejects(
    call(300),
    (error: ServiceError) => error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED,
  );
  client.close();
});

test('a throttled load scheduler answers 503 without retry-after, well before the gRPC deadline', async () => {
  const h = await startAgent({}, { window: { slots: 5, slotMs: 100 } });
  try {
    h.agent.registry.replaceAll([
      { policyName: 'policy', policyHash: 'hash-1', components: [loadSchedulerConfig()] },
    ]);
    // Real traffic (admitted in pass-through) until the 0.5 s token-rate window has filled, then throttle to zero.
    const scheduler = h.agent.registry.allLoadSchedulers()[0];
    assert.ok(scheduler);
    do assert.equal((await h.check(checkRequest(), { controlPoint: 'ingress' })).status.code, 0);
    while (scheduler.bucket.counter.bootstrapping(performance.now()));
    assert.equal(
      h.agent.registry.applyDecision('policy', 'scheduler', {
        policyHash: 'hash-1',
        loadMultiplier: 0,
        passThrough: false,
        ttlMs: 0,
      }),
      'applied',
    );
    const denied = await h.check(checkRequest(), { controlPoint: 'ingress', deadlineMs: 1000 });
    assert.equal(denied.denied_response?.status.code, 'ServiceUnavailable' as unknown as number);
    assert.deepEqual(denied.denied_response?.headers ?? [], []);
    const decision = record(denied);
    assert.equal(decision.components[0]?.reason, 'no-fill');
    // Agent-side time, so a busy test machine cannot blur it: no waiting for tokens that never come.
    assert.ok(decision.processingMs < 50, `decided in ${decision.processingMs} ms`);
    const metrics = (await h.http('/metrics')).body;
    assert.match(
      metrics,
      /sluice_agent_scheduler_state\{policy_name="policy",component_id="scheduler",field="load_multiplier"\} 0/,
    );
    assert.match(
      metrics,
      /sluice_agent_scheduler_tokens_total\{policy_name="policy",component_id="scheduler",workload="default",stage="rejected"\} 1/,
    );
  } finally {
    await h.close();
  }
});

test('stop drains: a Check in flight (waiting on a paused Redis) still gets its answer, new ones are refused', async () => {
  const redis = await RedisServer.start();
  const h = await startAgent(
    { redisUrl: redis.url },
    { redisCallTimeoutMs: 5000, redisKeyPrefix: `drain-${process.pid}:` },
  );
  const pauser = new Redis(redis.url);
  try {
    const selectors = ['ingress', 'drain'].map((controlPoint) => ({
      controlPoint,
      service: 'any',
      agentGroup: 'default',
    }));
    h.agent.registry.replaceAll([
      {
        policyName: 'policy',
        policyHash: 'hash-1',
        components: [rateLimiterConfig({ backend: 'redis', selectors, bucketCapacity: 100 })],
      },
    ]);
    assert.equal(
      (await h.check(checkRequest(), { controlPoint: 'ingress' })).status.code,
      0,
      'warm: connected, script loaded',
    );
    await pauser.call('CLIENT', 'PAUSE', '800', 'ALL');
    const inFlight = h.check(checkRequest(), { controlPoint: 'drain', deadlineMs: 5000 });
    // The agent records the control point as soon as the Check arrives, before it waits on Redis.
    while (!h.agent.controlPoints.list().some((entry) => entry.controlPoint === 'drain'))
      await new Promise((resolve) => setImmediate(resolve));
    const stopping = h.close();
    const answer = await inFlight;
    assert.equal(answer.status.code, 0);
    assert.equal(record(answer).components[0]?.reason, 'tokens-available');
    await stopping;
  } finally {
    pauser.disconnect();
    await redis.kill();
  }
});

test('a flow queued behind a waiting head is answered 503 at its gRPC deadline minus the 25 ms margin (acceptance check 11)', async () => {
  const h = await startAgent({}, { window: { slots: 5, slotMs: 100 } });
  try {
    h.agent.registry.replaceAll([
      {
        policyName: 'policy',
        policyHash: 'hash-1',
        components: [
          loadSchedulerConfig({ tokensLabelKey: 'http.request.header.tokens', maxQueueTimeoutMs: 10_000 }),
        ],
      },
    ]);
    const scheduler = h.agent.registry.allLoadSchedulers()[0];
    assert.ok(scheduler);
    do assert.equal((await h.check(checkRequest(), { controlPoint: 'ingress' })).status.code, 0);
    while (scheduler.bucket.counter.bootstrapping(performance.now()));
    h.agent.registry.applyDecision('policy', 'scheduler', {
      policyHash: 'hash-1',
      loadMultiplier: 0.5,
      passThrough: false,
      ttlMs: 0,
    });
    scheduler.bucket.bypass(performance.now());
    // The head asks for 3 s worth of tokens (its deadline allows it), so the next flow can only wait.
    const fill = scheduler.bucket.fillRatePerSecond(performance.now());
    const headTokens = Math.ceil(scheduler.bucket.availableTokens(performance.now()) + fill * 3);
    const head = h.check(checkRequest({ headers: { tokens: String(headTokens) } }), {
      controlPoint: 'ingress',
      deadlineMs: 10_000,
    });
    while (scheduler.queue.pending === 0) await new Promise((resolve) => setImmediate(resolve));
    const behind = await h.check(checkRequest(), { controlPoint: 'ingress', deadlineMs: 1000 });
    const decision = record(behind);
    assert.equal(behind.denied_response?.status.code, 'ServiceUnavailable' as unknown as number);
    assert.equal(decision.components[0]?.reason, 'queue-timeout');
    // Timeout = 1000 − 25 − recent event-loop lag; the answer leaves before Envoy's deadline.
    assert.ok(
      decision.processingMs > 700 && decision.processingMs < 1000,
      `answered after ${decision.processingMs} ms`,
    );
    assert.ok((await head).status.code === 0, 'the head is admitted once its tokens accrue');
  } finally {
    await h.close();
  }
});
