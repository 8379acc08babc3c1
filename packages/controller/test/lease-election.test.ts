/**
 * The pure leader-election state machine in simulated time (test/support/election-simulation.ts):
 * candidates run the real LeaseElection against a store with the Lease registry's rules, requests
 * take a set one-way latency, and nothing sleeps. Numbers are measured on the simulated clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { microTime } from '../src/leader-election/lease-client.js';
import { LeaseElection, type ElectionTransition } from '../src/leader-election/lease-election.js';
import {
  ElectionSimulation,
  SIMULATION_START_MS,
  type SimulatedCandidate,
} from './support/election-simulation.js';

const LEASE_MS = 8000;
const RENEW_DEADLINE_MS = 6000;
const RETRY_MS = 2000;

const states = (candidate: SimulatedCandidate) =>
  candidate.transitions.map(
    (transition: ElectionTransition) => `${transition.from}->${transition.to}:${transition.reason}`,
  );

/** Two candidates where `a` leads: a starts first, b one second later. */
function ledByA(oneWayMs = 5): { sim: ElectionSimulation; a: SimulatedCandidate; b: SimulatedCandidate } {
  const sim = new ElectionSimulation();
  const a = sim.add({ identity: 'controller-a', oneWayMs });
  const b = sim.add({ identity: 'controller-b', oneWayMs });
  a.start();
  sim.run(1000);
  b.start();
  sim.run(1000);
  assert.equal(a.election.state, 'leader');
  assert.equal(b.election.state, 'follower');
  return { sim, a, b };
}

describe('LeaseElection options', () => {
  const cases: [string, ConstructorParameters<typeof LeaseElection>[0], RegExp][] = [
    ['empty identity', { identity: '' }, /identity "" is not allowed; must be non-empty \(the pod name\)/],
    [
      'fractional lease',
      { identity: 'a', leaseDurationMs: 7500 },
      /leaseDurationMs 7500 is not allowed; must be a whole number of seconds, at least 1000/,
    ],
    [
      'renew deadline not below the lease',
      { identity: 'a', leaseDurationMs: 8000, renewDeadlineMs: 8000 },
      /renewDeadlineMs 8000 is not allowed; must be below leaseDurationMs \(8000\)/,
    ],
    [
      'retry too close to the renew deadline',
      { identity: 'a', renewDeadlineMs: 6000, retryPeriodMs: 5000 },
      /retryPeriodMs 5000 is not allowed; must be above 0 with renewDeadlineMs \(6000\) above 1\.2 × retryPeriodMs/,
    ],
  ];
  for (const [name, options, message] of cases)
    it(`refuses ${name}, naming the value and the rule`, () =>
      assert.throws(() => new LeaseElection(options), message));

  it('defaults to lease 8 s, renew deadline 6 s, retry 2 s', () => {
    const election = new LeaseElection({ identity: 'a' });
    assert.deepEqual(
      [election.leaseDurationMs, election.renewDeadlineMs, election.retryPeriodMs],
      [LEASE_MS, RENEW_DEADLINE_MS, RETRY_MS],
    );
  });
});

describe('LeaseElection in simulated time', () => {
  it('acquires a missing Lease by creating it: get, 404, create', () => {
    const sim = new ElectionSimulation();
    const a = sim.add({ identity: 'controller-a', oneWayMs: 5 });
    a.start();
    sim.run(100);
    assert.deepEqual(
      a.requests.map((request) => `${request.kind}:${request.outcome}`),
      ['get:not-found', 'create:written'],
    );
    assert.deepEqual(states(a), ['follower->leader:acquired']);
    assert.equal(a.becameLeaderAtMs, SIMULATION_START_MS + 20, 'two round trips of 10 ms');
    const spec = sim.store.lease?.spec;
    assert.deepEqual(spec, {
      holderIdentity: 'controller-a',
      leaseDurationSeconds: 8,
      acquireTime: microTime(SIMULATION_START_MS + 10),
      renewTime: microTime(SIMULATION_START_MS + 10),
      leaseTransitions: 0,
    });
    assert.match(spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime');
  });

  it('renews every retry period with a direct update, keeping acquireTime and leaseTransitions; the follower only reads', () => {
    const { sim, a, b } = ledByA();
    const firstWrite = sim.store.writes.length;
    const acquireTime = sim.store.lease?.spec.acquireTime;
    sim.run(60_000);
    const renewals = a.requests.filter((request) => request.atMs > SIMULATION_START_MS + 2000);
    assert.ok(renewals.every((request) => request.kind === 'update' && request.outcome === 'written'));
    // One renewal per retry period (plus the 10 ms round trip).
    assert.ok(renewals.length >= 29 && renewals.length <= 30, `${renewals.length} renewals in 60 s`);
    assert.equal(sim.store.writes.length - firstWrite, renewals.length);
    assert.equal(sim.store.lease?.spec.acquireTime, acquireTime);
    assert.equal(sim.store.lease?.spec.leaseTransitions, 0);
    assert.ok(b.requests.every((request) => request.kind === 'get'));
    const gaps = b.requests.slice(1).map((request, index) => request.atMs - (b.requests[index]?.atMs ?? 0));
    assert.ok(Math.max(...gaps) <= RETRY_MS + 10, `follower reads every ≤ 2 s: ${Math.max(...gaps)}`);
    assert.deepEqual(states(b), []);
    assert.equal(b.election.leader(sim.nowMs), 'controller-a');
  });

  it('of two candidates racing to create the Lease, one gets 409 AlreadyExists, reads, and follows', () => {
    const sim = new ElectionSimulation();
    const a = sim.add({ identity: 'controller-a' });
    const b = sim.add({ identity: 'controller-b' });
    a.start();
    b.start();
    sim.run(30_000);
    assert.deepEqual(states(a), ['follower->leader:acquired']);
    assert.deepEqual(
      b.requests.slice(0, 4).map((request) => `${request.kind}:${request.outcome}`),
      ['get:not-found', 'create:conflict', 'get:found', 'get:found'],
    );
    assert.deepEqual(states(b), []);
    assert.deepEqual(sim.overlaps(), []);
  });

  it('of two candidates updating an expired Lease with the same resourceVersion, one gets 409 Conflict and follows', () => {
    const sim = new ElectionSimulation();
    sim.store.overwrite(
      {
        holderIdentity: 'controller-old',
        leaseDurationSeconds: 8,
        acquireTime: microTime(SIMULATION_START_MS - 60_000),
        renewTime: microTime(SIMULATION_START_MS - 30_000),
        leaseTransitions: 4,
      },
      SIMULATION_START_MS,
    );
    const a = sim.add({ identity: 'controller-a' });
    const b = sim.add({ identity: 'controller-b' });
    a.start();
    b.start();
    sim.run(12_000);
    // Expiry is judged on the candidates' own clocks from their first sight of the record, never
    // from renewTime: both wait the full lease duration, then race with the same resourceVersion.
    // First sight at +10 ms; at expiry a read, then the update: two more round trips.
    assert.equal(a.becameLeaderAtMs, SIMULATION_START_MS + 10 + LEASE_MS + 20);
    const conflicts = b.requests.filter(
      (request) => request.kind === 'update' && request.outcome === 'conflict',
    );
    assert.equal(conflicts.length, 1);
    assert.deepEqual(states(b), []);
    assert.equal(sim.store.lease?.spec.holderIdentity, 'controller-a');
    assert.equal(sim.store.lease?.spec.leaseTransitions, 5);
  });

  it('replaces a crashed leader within leaseDuration + retryPeriod, never before the lease ran out', (t) => {
    const takeovers: number[] = [];
    const sinceLastRenewal: number[] = [];
    // Crash at 31 phases across a renewal period and the follower's polling.
    for (let phase = 0; phase <= 30; phase++) {
      const { sim, a, b } = ledByA();
      sim.run(20_000 + phase * 137);
      const crashAt = sim.nowMs;
      a.crash();
      sim.runUntil(() => b.election.state === 'leader', 20_000);
      const lastRenewal =
        sim.store.writes.filter((write) => write.identity === 'controller-a').at(-1)?.atMs ?? 0;
      takeovers.push((b.becameLeaderAtMs ?? 0) - crashAt);
      sinceLastRenewal.push((b.becameLeaderAtMs ?? 0) - lastRenewal);
      assert.deepEqual(sim.overlaps(), []);
      assert.equal(sim.store.lease?.spec.leaseTransitions, 1);
    }
    const worst = Math.max(...takeovers);
    t.diagnostic(
      `takeover after a crash: ${Math.min(...takeovers)}–${worst} ms (bound ${LEASE_MS + RETRY_MS} ms)`,
    );
    // Two round trips of 10 ms after the wake-up: read the expired Lease, update it.
    assert.ok(worst <= LEASE_MS + RETRY_MS + 20, `worst takeover ${worst} ms`);
    assert.ok(
      Math.min(...sinceLastRenewal) >= LEASE_MS,
      `taken ${Math.min(...sinceLastRenewal)} ms after the last renewal`,
    );
  });

  it('a leader that cannot renew steps down at its renew deadline, before any follower can take over', (t) => {
    const { sim, a, b } = ledByA();
    sim.run(10_000);
    a.partition = 'requests-lost';
    const lastSent = a.requests.findLast((request) => request.outcome === 'written')?.atMs ?? 0;
    sim.runUntil(() => b.election.state === 'leader', 20_000);
    const steppedDown = a.transitions.find((transition) => transition.to === 'stepping-down');
    assert.equal(steppedDown?.reason, 'renew-deadline');
    assert.equal(
      steppedDown?.atMs,
      lastSent + RENEW_DEADLINE_MS,
      'exactly renewDeadline after the last successful send',
    );
    const stoppedActing = a.acting[0]?.toMs ?? 0;
    const gap = (b.becameLeaderAtMs ?? 0) - stoppedActing;
    t.diagnostic(
      `a stepped down ${(steppedDown?.atMs ?? 0) - lastSent} ms after its last renewal was sent; b led ${(b.becameLeaderAtMs ?? 0) - lastSent} ms after it, ${gap} ms after a stopped acting`,
    );
    assert.ok(gap >= LEASE_MS - RENEW_DEADLINE_MS - 100 - 10, `gap ${gap} ms`);
    assert.deepEqual(sim.overlaps(), []);
    assert.deepEqual(states(a), [
      'follower->leader:acquired',
      'leader->stepping-down:renew-deadline',
      'stepping-down->follower:stepped-down',
    ]);
    // Healed, it finds b's lease and stays a follower.
    a.partition = 'none';
    sim.run(20_000);
    assert.equal(a.election.state, 'follower');
    assert.equal(a.election.leader(sim.nowMs), 'controller-b');
  });

  it('a leader whose renewal conflicts and then reads another holder steps down (lost)', () => {
    const { sim, a } = ledByA();
    const before = a.requests.length;
    sim.store.overwrite(
      {
        holderIdentity: 'controller-z',
        leaseDurationSeconds: 8,
        acquireTime: microTime(sim.nowMs),
        renewTime: microTime(sim.nowMs),
        leaseTransitions: 1,
      },
      sim.nowMs,
    );
    sim.run(RETRY_MS + 100);
    // The renewal conflicts, the read shows controller-z: step down; as a follower it reads again.
    assert.deepEqual(
      a.requests.slice(before).map((request) => `${request.kind}:${request.outcome}`),
      ['update:conflict', 'get:found', 'get:found'],
    );
    assert.equal(a.election.leader(sim.nowMs), 'controller-z');
    assert.deepEqual(states(a).slice(-2), [
      'leader->stepping-down:lost',
      'stepping-down->follower:stepped-down',
    ]);
  });

  it('on shutdown a leader steps down, then releases the Lease, and the follower takes it within one retry period', (t) => {
    const { sim, a, b } = ledByA();
    sim.run(5_321);
    const stopAt = sim.nowMs;
    a.stop();
    sim.runUntil(() => b.election.state === 'leader', 10_000);
    assert.deepEqual(states(a).slice(-2), [
      'leader->stepping-down:shutdown',
      'stepping-down->stopped:released',
    ]);
    const release = sim.store.writes.findLast((write) => write.identity === 'controller-a');
    assert.deepEqual(
      [release?.spec.holderIdentity, release?.spec.leaseDurationSeconds, release?.spec.leaseTransitions],
      ['', 1, 0],
    );
    const handover = (b.becameLeaderAtMs ?? 0) - stopAt;
    t.diagnostic(
      `handover after a graceful stop: ${handover} ms (step-down 100 ms + release + at most one retry period)`,
    );
    assert.ok(handover <= 100 + 10 + RETRY_MS + 20, `handover ${handover} ms`);
    assert.equal(sim.store.lease?.spec.leaseTransitions, 1);
    assert.deepEqual(sim.overlaps(), []);
    const requestsAfter = a.requests.length;
    sim.run(10_000);
    assert.equal(a.requests.length, requestsAfter, 'a stopped election sends nothing');
  });

  it('a release that conflicts with a renewal abandoned in flight reads and releases again', () => {
    const { sim, a, b } = ledByA();
    sim.run(3_000);
    sim.runUntil(() => {
      const last = a.requests.at(-1);
      return last?.kind === 'update' && last.outcome === undefined;
    }, RETRY_MS + 100);
    const before = a.requests.length;
    a.stop();
    sim.runUntil(() => b.election.state === 'leader', 10_000);
    assert.deepEqual(
      a.requests.slice(before - 1).map((request) => `${request.kind}:${request.outcome}`),
      ['update:written', 'update:conflict', 'get:found', 'update:written'],
      'the abandoned renewal lands (its answer is ignored), the release conflicts, then succeeds',
    );
    assert.deepEqual(states(a).slice(-1), ['stepping-down->stopped:released']);
    assert.equal(
      sim.store.writes.findLast((write) => write.identity === 'controller-a')?.spec.holderIdentity,
      '',
    );
    assert.deepEqual(sim.overlaps(), []);
  });

  it('a follower stops at once and sends nothing more', () => {
    const { sim, b } = ledByA();
    b.stop();
    const count = b.requests.length;
    sim.run(10_000);
    assert.equal(b.election.state, 'stopped');
    assert.equal(b.requests.length, count);
    assert.deepEqual(states(b), ['follower->stopped:shutdown']);
  });

  it('never lets two candidates act as leader at once, and elects one again once disruptions end (property)', () => {
    const disruption = fc.record({
      atMs: fc.integer({ min: 0, max: 90_000 }),
      candidate: fc.integer({ min: 0, max: 2 }),
      kind: fc.constantFrom('requests-lost', 'answers-lost', 'heal', 'crash', 'stop', 'latency'),
      latencyMs: fc.integer({ min: 1, max: 400 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 3, maxLength: 3 }),
        fc.array(disruption, { maxLength: 12 }),
        fc.integer({ min: 0, max: 500 }),
        (latencies, disruptions, stepDownMs) => {
          const sim = new ElectionSimulation();
          const candidates = latencies.map((oneWayMs, index) =>
            sim.add({ identity: `controller-${index}`, oneWayMs, stepDownMs }),
          );
          for (const candidate of candidates) candidate.start();
          for (const event of [...disruptions].sort((x, y) => x.atMs - y.atMs)) {
            sim.run(event.atMs + SIMULATION_START_MS - sim.nowMs);
            const candidate = candidates[event.candidate];
            if (candidate === undefined) continue;
            if (event.kind === 'crash') candidate.crash();
            else if (event.kind === 'stop') candidate.stop();
            else if (event.kind === 'heal') candidate.partition = 'none';
            else if (event.kind === 'latency') candidate.oneWayMs = event.latencyMs;
            else candidate.partition = event.kind;
          }
          for (const candidate of candidates) candidate.partition = 'none';
          sim.run(130_000 + SIMULATION_START_MS - sim.nowMs);
          assert.deepEqual(sim.overlaps(), []);
          const alive = candidates.filter(
            (candidate) => !candidate.crashed && candidate.election.state !== 'stopped',
          );
          // Healed for ≥ 40 s (several lease durations, round trips included): exactly one live leader.
          if (alive.length > 0)
            assert.equal(alive.filter((candidate) => candidate.election.state === 'leader').length, 1);
        },
      ),
      { numRuns: 150, seed: 20_240_601 },
    );
  });
});
