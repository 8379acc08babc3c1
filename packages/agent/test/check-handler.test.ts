import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckHandler } from '../src/check/check-handler.js';
import { parseCheckRequest } from '../src/check/check-request.js';
import { decodeDecisionRecord, DECISION_METADATA_KEY } from '../src/check/decision-record.js';
import { ComponentRegistry } from '../src/components/component-registry.js';
import { ControlPointRegistry } from '../src/control-points/control-point-registry.js';
import { AgentMetrics } from '../src/metrics/agent-metrics.js';
import { PreviewRegistry } from '../src/preview/preview-registry.js';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import { checkRequest } from './support/agent-harness.js';
import { loadSchedulerConfig, rateLimiterConfig } from './support/compiled-components.js';
import { flushMicrotasks, ManualClock } from '@sluice/clock/manual';

function setup(lagMs: number) {
  const clock = new ManualClock();
  const registry = new ComponentRegistry({
    clock,
    agentGroup: 'default',
    localStore: new LocalBucketStore({ clock }),
    window: { slots: 10, slotMs: 100 },
  });
  registry.replaceAll([
    {
      policyName: 'policy',
      policyHash: 'hash-1',
      components: [
        loadSchedulerConfig({ tokensLabelKey: 'http.request.header.tokens', maxQueueTimeoutMs: 30_000 }),
      ],
    },
  ]);
  const handler = new CheckHandler({
    clock,
    wallClockMs: () => 1_700_000_000_000 + clock.now(),
    agentGroup: 'default',
    registry,
    controlPoints: new ControlPointRegistry(clock),
    previews: new PreviewRegistry(clock, []),
    metrics: new AgentMetrics({ processMetrics: false }),
    lagMs: () => lagMs,
  });
  return { clock, registry, handler };
}

test('event-loop lag shortens the queue timeout so the answer still leaves before the deadline', async () => {
  const { clock, registry, handler } = setup(100);
  for (let t = 0; t < 1100; t += 10) {
    await handler.handle(parseCheckRequest(checkRequest()), 'ingress', undefined);
    clock.advance(10);
  }
  registry.applyDecision('policy', 'scheduler', {
    policyHash: 'hash-1',
    loadMultiplier: 1,
    passThrough: false,
    ttlMs: 0,
  });
  // 100 tokens/s: a 1000-token head occupies the queue for about 10 s.
  void handler.handle(
    parseCheckRequest(checkRequest({ headers: { tokens: '1000' } })),
    'ingress',
    clock.now() + 20_000,
  );
  let answeredAt: number | undefined;
  const start = clock.now();
  const behind = handler
    .handle(parseCheckRequest(checkRequest()), 'ingress', start + 300)
    .then((response) => {
      answeredAt = clock.now();
      return response;
    });
  for (let step = 0; step < 300 && answeredAt === undefined; step++) {
    clock.advance(1);
    await flushMicrotasks();
  }
  const response = await behind;
  assert.equal(
    answeredAt !== undefined ? answeredAt - start : -1,
    175,
    '300 ms deadline − 25 ms margin − 100 ms lag',
  );
  const decision = decodeDecisionRecord(
    response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue ?? '',
  );
  assert.equal(decision.components[0]?.reason, 'queue-timeout');
  assert.equal(decision.processingMs, 175);
  assert.equal(decision.startedAtMs, 1_700_000_000_000 + start);
});

/** A handler over `components`, with a preview registry the test can start previews on. */
function handlerWith(components: Parameters<ComponentRegistry['replaceAll']>[0][number]['components']) {
  const clock = new ManualClock();
  const registry = new ComponentRegistry({
    clock,
    agentGroup: 'default',
    localStore: new LocalBucketStore({ clock }),
  });
  registry.replaceAll([{ policyName: 'policy', policyHash: 'hash-1', components }]);
  const previews = new PreviewRegistry(clock, []);
  const handler = new CheckHandler({
    clock,
    wallClockMs: () => 0,
    agentGroup: 'default',
    registry,
    controlPoints: new ControlPointRegistry(clock),
    previews,
    metrics: new AgentMetrics({ processMetrics: false }),
    lagMs: () => 0,
  });
  const check = (headers: Record<string, string>) =>
    handler.handle(parseCheckRequest(checkRequest({ headers, size: 7 })), 'ingress', undefined);
  return { previews, check };
}

test('a component reading a header label sees it: one token per user-id header value', async () => {
  const { check } = handlerWith([
    rateLimiterConfig({ limitByLabelKey: 'http.request.header.user_id', bucketCapacity: 1, fillAmount: 0 }),
  ]);
  assert.equal((await check({ 'user-id': 'a' })).status.code, 0);
  assert.equal((await check({ 'user-id': 'a' })).status.code, 14, 'the same user: rate-limited');
  assert.equal((await check({ 'user-id': 'b' })).status.code, 0, 'another user: its own bucket');
});

test('with no component reading header labels, a running preview still sees them', async () => {
  const { previews, check } = handlerWith([rateLimiterConfig({ limitByLabelKey: 'user' })]);
  const answers: Array<Record<string, string>[]> = [];
  previews.start(
    {
      requestId: 'r',
      controlPoint: 'ingress',
      service: '',
      matchLabels: {},
      samples: 1,
      timeoutMs: 1000,
      kind: 'flow-labels',
    },
    (answer) => answers.push(answer.flowLabels),
  );
  await check({ 'x-tier': 'gold' });
  assert.equal(answers[0]?.[0]?.['http.request.header.x_tier'], 'gold');
  assert.equal(answers[0]?.[0]?.['http.request_content_length'], '7');
});

test('a classifier label from a redacted header is <redacted> in the decision record and never propagated', async () => {
  const clock = new ManualClock();
  const registry = new ComponentRegistry({
    clock,
    agentGroup: 'default',
    localStore: new LocalBucketStore({ clock }),
  });
  const selectors = [{ controlPoint: 'ingress', service: 'any', agentGroup: 'default' }];
  registry.replaceAll([
    {
      policyName: 'policy',
      policyHash: 'hash-1',
      components: [
        {
          kind: 'classifier',
          policyName: 'policy',
          policyHash: 'hash-1',
          componentId: 'classifier-0',
          selectors,
          rules: {
            bearer: { header: 'Authorization', telemetry: true, propagate: true },
            token: { header: 'x-auth-token', telemetry: true, propagate: false },
            user: { header: 'x-user', telemetry: false, propagate: true },
            tenant: { pathTemplate: '/tenants/{tenant}', telemetry: true, propagate: true },
          },
        },
      ],
    },
  ]);
  const offered: Array<ReadonlySet<string> | undefined> = [];
  const previews = new PreviewRegistry(clock, []);
  previews.offer = (flow) => void offered.push(flow.redactedLabels);
  const handler = new CheckHandler({
    clock,
    wallClockMs: () => 0,
    agentGroup: 'default',
    registry,
    controlPoints: new ControlPointRegistry(clock),
    previews,
    metrics: new AgentMetrics({ processMetrics: false }),
    lagMs: () => 0,
    redactedHeaders: new Set(['authorization', 'x-auth-token']),
  });
  const response = await handler.handle(
    parseCheckRequest(
      checkRequest({
        path: '/tenants/acme',
        headers: { authorization: 'Bearer s3cret', 'x-auth-token': 't0k', 'x-user': 'alice' },
      }),
    ),
    'ingress',
    undefined,
  );
  const record = decodeDecisionRecord(
    response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue ?? '',
  );
  assert.equal(record.labels.bearer, '<redacted>');
  assert.equal(record.labels.token, '<redacted>');
  assert.equal(record.labels.user, undefined, 'not telemetry');
  assert.equal(record.labels.tenant, 'acme');
  assert.doesNotMatch(JSON.stringify(response), /s3cret|t0k/);
  assert.equal(response.ok_response?.headers[0]?.header.value, 'user=alice,tenant=acme');
  assert.deepEqual([...(offered[0] ?? [])].sort(), ['bearer', 'token']);
});
