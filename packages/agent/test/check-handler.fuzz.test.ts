/**
 * Property-based fuzzing of the Check path without transport: each generated CheckRequest goes
 * through proto-loader's own serialiser and deserialiser for envoy.service.auth.v3.CheckRequest (so
 * the handler sees exactly the object shape the gRPC server hands it, lone surrogates turned into
 * invalid UTF-8 and back), then through the steps AgentGrpcServer.check takes (parse, control
 * point, CheckHandler.handle), and the answer through proto-loader's CheckResponse serialiser.
 * A policy with a classifier, a rate limiter, a load scheduler (throttling, so flows queue) and a
 * flux meter is loaded, so every classification and scheduling path runs. Time is a manual clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { authorizationService } from '@sluice/spec/protos';
import { CheckHandler } from '../src/check/check-handler.js';
import { decodeCheckRequest } from '../src/check/check-request-decoder.js';
import { resolveControlPoint } from '../src/check/check-request.js';
import type { CheckResponseMessage } from '../src/check/check-response.js';
import { decodeDecisionRecord, DECISION_METADATA_KEY } from '../src/check/decision-record.js';
import type { Clock, TimerHandle } from '@sluice/clock';
import { ComponentRegistry } from '../src/components/component-registry.js';
import { ControlPointRegistry } from '../src/control-points/control-point-registry.js';
import { AgentMetrics } from '../src/metrics/agent-metrics.js';
import { PreviewRegistry } from '../src/preview/preview-registry.js';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import {
  checkRequestArbitrary,
  controlPointMetadata,
  hugeCheckRequestArbitrary,
} from './support/check-arbitraries.js';
import { FUZZ_CONTROL_POINT, fuzzPolicy } from './support/fuzz-policy.js';
import { flushMicrotasks, ManualClock } from '@sluice/clock/manual';
import { serviceMethod } from './support/raw-grpc.js';

const SEED = 20_251_010;
const MAIN_RUNS = 10_000;
const HUGE_RUNS = 40;
/** Longest a queued flow may wait (the policy's maxQueueTimeout); the clock is stepped past it. */
const MAX_QUEUE_MS = 500;
const STEP_MS = 5;
/** Decisions the fuzz cycles through, 1000 Checks each: throttled, closed (admit nothing), open. */
const LOAD_MULTIPLIERS = [0.5, 0, 0.05, 1.5];

const Check = serviceMethod(authorizationService(), 'Check');

/** A manual clock that refuses timers no real clock could honour (NaN, ±∞, negative delays). */
class StrictClock implements Clock {
  readonly badDelays: number[] = [];
  constructor(private readonly inner: ManualClock) {}
  now(): number {
    return this.inner.now();
  }
  /** Real wall time: gRPC deadlines arrive as real epoch times and are mapped onto the manual clock. */
  wallNow(): number {
    return Date.now();
  }
  setTimer(delayMs: number, callback: () => void): TimerHandle {
    if (!Number.isFinite(delayMs) || delayMs < 0) this.badDelays.push(delayMs);
    return this.inner.setTimer(Number.isFinite(delayMs) ? delayMs : 0, callback);
  }
  setInterval(intervalMs: number, callback: () => void): TimerHandle {
    return this.inner.setInterval(intervalMs, callback);
  }
}

type Outcome = 'ok' | 'denied' | 'invalid-argument';

function setup() {
  const manual = new ManualClock();
  const clock = new StrictClock(manual);
  const metrics = new AgentMetrics({ processMetrics: false });
  const registry = new ComponentRegistry({
    clock,
    agentGroup: 'default',
    localStore: new LocalBucketStore({ clock }),
    window: { slots: 4, slotMs: 50 },
  });
  const applied = registry.replaceAll([fuzzPolicy({ maxQueueTimeoutMs: MAX_QUEUE_MS })]);
  assert.deepEqual(applied.failed, []);
  const throttle = (loadMultiplier: number) =>
    assert.equal(
      registry.applyDecision('fuzz', 'scheduler', {
        policyHash: 'fuzz-1',
        loadMultiplier,
        passThrough: false,
        ttlMs: 1e12,
      }),
      'applied',
    );
  // Below 1 flows queue, time out and are admitted late; at 0 none are admitted.
  throttle(LOAD_MULTIPLIERS[0] as number);
  const handler = new CheckHandler({
    clock,
    wallClockMs: () => 1_700_000_000_000 + clock.now(),
    agentGroup: 'default',
    registry,
    controlPoints: new ControlPointRegistry(clock),
    previews: new PreviewRegistry(clock, ['authorization']),
    metrics,
    lagMs: () => 0,
  });
  return { manual, clock, metrics, registry, handler, throttle };
}

type Harness = ReturnType<typeof setup>;

/** Asserts a CheckResponse is one Envoy can act on, and that proto-loader can serialise it. */
function assertDecision(response: CheckResponseMessage, controlPoint: string): Outcome {
  assert.ok(response.status.code === 0 || response.status.code === 14, `status ${response.status.code}`);
  const encoded = response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue;
  assert.ok(encoded !== undefined, 'decision metadata');
  const record = decodeDecisionRecord(encoded);
  assert.equal(record.controlPoint, controlPoint);
  const bytes = Check.responseSerialize(response);
  assert.ok(bytes.length > 0);
  if (response.status.code === 0) {
    assert.equal(record.decision, 'accepted');
    assert.ok(response.ok_response !== undefined);
    return 'ok';
  }
  assert.equal(record.decision, 'rejected');
  assert.ok([429, 503].includes(response.denied_response?.status.code ?? 0));
  return 'denied';
}

/** Runs one Check to its answer, stepping the clock while it queues. Never waits on real time. */
async function runCheck(
  harness: Harness,
  message: object,
  metadataControlPoint: string | undefined,
  deadlineInMs: number | undefined,
): Promise<Outcome> {
  const parsed = decodeCheckRequest(Check.requestSerialize(message));
  const controlPoint = resolveControlPoint(metadataControlPoint, parsed, undefined);
  if (controlPoint === undefined) return 'invalid-argument';
  const deadline = deadlineInMs === undefined ? undefined : harness.clock.now() + deadlineInMs;
  let settled: { response: CheckResponseMessage } | { error: unknown } | undefined;
  harness.handler.handle(parsed, controlPoint, deadline).then(
    (response) => (settled = { response }),
    (error: unknown) => (settled = { error }),
  );
  for (let waited = 0; settled === undefined; waited += STEP_MS) {
    await flushMicrotasks();
    if (settled !== undefined) break;
    assert.ok(waited <= 4 * MAX_QUEUE_MS, `no answer after ${waited} ms of queueing`);
    harness.manual.advance(STEP_MS);
  }
  if ('error' in settled) throw settled.error;
  return assertDecision(settled.response, controlPoint);
}

async function counterTotal(
  metrics: AgentMetrics,
  name: string,
  match: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values
    .filter((sample) => Object.entries(match).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** No client-supplied number may push the scheduler's arithmetic to NaN or ±∞. */
async function assertSchedulerFinite(harness: Harness): Promise<void> {
  const [scheduler] = harness.registry.allLoadSchedulers();
  assert.ok(scheduler !== undefined);
  harness.metrics.trackSchedulers(() => [scheduler], harness.clock);
  const { values } = await harness.metrics.schedulerState.get();
  assert.equal(values.length, 6);
  for (const sample of values)
    assert.ok(Number.isFinite(sample.value), `${sample.labels.field} = ${sample.value}`);
}

describe('CheckHandler under fuzzed CheckRequests (fast-check)', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => process.off('unhandledRejection', onUnhandled));

  it(`${MAIN_RUNS} random requests: never a throw, always OK, denied or INVALID_ARGUMENT`, async () => {
    const harness = setup();
    const outcomes: Record<Outcome, number> = { ok: 0, denied: 0, 'invalid-argument': 0 };
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        checkRequestArbitrary,
        controlPointMetadata,
        fc.option(fc.integer({ min: -1000, max: 5000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 40 }),
        async (message, controlPoint, deadlineInMs, gapMs) => {
          if (runs % 1000 === 0) harness.throttle(LOAD_MULTIPLIERS[(runs / 1000) % 4] as number);
          runs++;
          harness.manual.advance(gapMs);
          outcomes[await runCheck(harness, message, controlPoint, deadlineInMs)]++;
        },
      ),
      { seed: SEED, numRuns: MAIN_RUNS, endOnFailure: true },
    );
    assert.equal(runs, MAIN_RUNS);
    assert.equal(outcomes.ok + outcomes.denied + outcomes['invalid-argument'], MAIN_RUNS);
    // checks_total holds 2,000 series; the fuzz's random control points past them are counted as overflow.
    const answered =
      (await counterTotal(harness.metrics, 'sluice_agent_checks_total')) +
      (await counterTotal(harness.metrics, 'sluice_agent_metric_series_overflow_total', {
        metric: 'sluice_agent_checks_total',
      }));
    assert.equal(answered, outcomes.ok + outcomes.denied, 'every decision is counted');
    // The fuzz reached every stage, not only the parser.
    const decisions = (reason: string) =>
      counterTotal(harness.metrics, 'sluice_agent_component_decisions_total', { reason });
    const reached = {
      ok: outcomes.ok,
      denied: outcomes.denied,
      invalidArgument: outcomes['invalid-argument'],
      rateLimited: await decisions('rate-limited'),
      labelMissing: await decisions('label-missing'),
      queuedThenAdmitted: await decisions('queued-then-admitted'),
      queueTimeout: await decisions('queue-timeout'),
      zeroTokens: await decisions('zero-tokens'),
      classifierMisses: await counterTotal(harness.metrics, 'sluice_agent_classifier_misses_total'),
    };
    for (const [what, count] of Object.entries(reached)) assert.ok(count > 0, `${what}: ${count}`);
    assert.equal(
      harness.clock.badDelays.length,
      0,
      `timers with impossible delays: ${harness.clock.badDelays.slice(0, 5).join(', ')}`,
    );
    assert.ok(Number.isFinite(harness.clock.now()));
    await assertSchedulerFinite(harness);
    console.log(`check-handler fuzz: ${MAIN_RUNS} cases ${JSON.stringify(reached)}`);
  });

  it(`${HUGE_RUNS} huge requests (megabyte values, 10,000 headers, int64-max size): still a decision`, async () => {
    const harness = setup();
    const kinds: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(hugeCheckRequestArbitrary, async ({ kind, request }) => {
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        harness.manual.advance(10);
        const outcome = await runCheck(harness, request, FUZZ_CONTROL_POINT, 1000);
        assert.notEqual(outcome, 'invalid-argument');
      }),
      { seed: SEED, numRuns: HUGE_RUNS, endOnFailure: true },
    );
    assert.equal(
      Object.values(kinds).reduce((sum, count) => sum + count, 0),
      HUGE_RUNS,
    );
    assert.equal(Object.keys(kinds).length, 5, JSON.stringify(kinds));
    assert.equal(harness.clock.badDelays.length, 0);
    await assertSchedulerFinite(harness);
  });

  it('no unhandled rejection escaped', async () => {
    await flushMicrotasks();
    assert.deepEqual(unhandled, []);
  });
});
