/**
 * LeaderElector with the real KubernetesLeaseClient (@kubernetes/client-node over real HTTP) against
 * the fake API server of @sluice/testkit (FakeKubeApiServer), whose Leases follow the registry's
 * rules (404, 409 AlreadyExists, 409 Conflict on a stale resourceVersion, global resource versions).
 * Each elector authenticates as its own user, so the fake attributes every request. Real time, short
 * timings (lease 2 s, renew deadline 1 s, retry 250 ms); the tests wait on transition events.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { systemClockUnref } from '@sluice/clock';
import { LeaderElector } from '../src/leader-election/leader-elector.js';
import { microTime } from '../src/leader-election/lease-client.js';
import { KubernetesLeaseClient } from '../src/leader-election/lease-client-kubernetes.js';
import { LeaseElection, type ElectionTransition } from '../src/leader-election/lease-election.js';
import { FakeKubeApiServer } from '@sluice/testkit';

const NS = 'sluice-system';
const LEASE = 'sluice-controller';
const TIMINGS = { leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 250 };

interface Candidate {
  readonly identity: string;
  readonly elector: LeaderElector;
  readonly transitions: ElectionTransition[];
  /** `transition` (ElectionTransition) after each one. */
  readonly events: EventEmitter;
  /** When its embedder stopped acting as leader (onStoppedLeading resolved). */
  readonly stoppedActingAtMs: number[];
}

function candidate(fake: FakeKubeApiServer, identity: string): Candidate {
  const election = new LeaseElection({ identity, ...TIMINGS });
  const transitions: ElectionTransition[] = [];
  const stoppedActingAtMs: number[] = [];
  const events = new EventEmitter();
  election.onTransition((transition) => {
    transitions.push(transition);
    events.emit('transition', transition);
  });
  const elector = new LeaderElector({
    election,
    client: new KubernetesLeaseClient({
      kubeConfig: fake.kubeConfig(identity),
      namespace: NS,
      name: LEASE,
      requestTimeoutMs: TIMINGS.retryPeriodMs,
    }),
    clock: systemClockUnref,
    resolutionMs: 10,
    onStartedLeading: () => undefined,
    onStoppedLeading: async () => {
      stoppedActingAtMs.push(Date.now());
    },
    warn: () => undefined,
  });
  return { identity, elector, transitions, events, stoppedActingAtMs };
}

/** Resolves with the next transition of `who` into `to`; the timeout only reports a missing one. */
function transitionTo(
  who: Candidate,
  to: ElectionTransition['to'],
  timeoutMs = 10_000,
): Promise<ElectionTransition> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      who.events.off('transition', listener);
      reject(new Error(`${who.identity} did not become ${to} within ${timeoutMs} ms`));
    }, timeoutMs);
    function listener(transition: ElectionTransition): void {
      if (transition.to !== to) return;
      clearTimeout(deadline);
      who.events.off('transition', listener);
      resolve(transition);
    }
    who.events.on('transition', listener);
  });
}

const writesBy = (fake: FakeKubeApiServer, user: string, method: string) =>
  fake.calls.filter((call) => call.user === user && call.method === method && call.path.includes('/leases'));

describe('KubernetesLeaseClient against the fake API server', () => {
  const fake = new FakeKubeApiServer(NS);
  before(() => fake.start());
  after(() => fake.stop());

  it('maps 404, 409 AlreadyExists and 409 Conflict, and round-trips MicroTime', async () => {
    const client = new KubernetesLeaseClient({
      kubeConfig: fake.kubeConfig('alpha'),
      namespace: NS,
      name: 'contract',
    });
    const other = new KubernetesLeaseClient({
      kubeConfig: fake.kubeConfig('beta'),
      namespace: NS,
      name: 'contract',
    });
    assert.deepEqual(await client.get(), { outcome: 'not-found' });
    assert.deepEqual(await client.update({ ...spec('alpha'), leaseTransitions: 0 }, '1'), {
      outcome: 'not-found',
    });
    const created = await client.create(spec('alpha'));
    assert.equal(created.outcome, 'written');
    const second = await other.create(spec('beta'));
    assert.equal(second.outcome, 'conflict');
    assert.match(
      'message' in second ? second.message : '',
      /^HTTP 409: leases\.coordination\.k8s\.io "contract" already exists$/,
    );
    const read = await other.get();
    assert.equal(read.outcome, 'found');
    const version = read.outcome === 'found' ? read.lease.resourceVersion : '';
    assert.deepEqual(read.outcome === 'found' ? read.lease.spec : undefined, spec('alpha'));
    const renewed = await client.update(
      { ...spec('alpha'), renewTime: microTime(1_700_000_001_500) },
      version,
    );
    assert.equal(renewed.outcome, 'written');
    const stale = await other.update(spec('beta'), version);
    assert.equal(stale.outcome, 'conflict');
    assert.match('message' in stale ? stale.message : '', /the object has been modified/);
    assert.equal(fake.lease('contract')?.spec.renewTime, '2023-11-14T22:13:21.500000Z');
  });

  it('reports a request left unanswered past the timeout as failed', async () => {
    const client = new KubernetesLeaseClient({
      kubeConfig: fake.kubeConfig('gamma'),
      namespace: NS,
      name: 'contract',
      requestTimeoutMs: 200,
    });
    fake.partition('gamma', 'silent');
    const started = Date.now();
    const outcome = await client.get();
    fake.heal('gamma');
    assert.deepEqual(outcome, {
      outcome: 'failed',
      message: 'Lease sluice-system/contract: no answer within 200 ms',
    });
    assert.ok(Date.now() - started < 1000);
  });
});

function spec(holder: string) {
  return {
    holderIdentity: holder,
    leaseDurationSeconds: 2,
    acquireTime: microTime(1_700_000_000_000),
    renewTime: microTime(1_700_000_000_000),
    leaseTransitions: 0,
  };
}

describe('LeaderElector: two replicas over the real client', { timeout: 30_000 }, () => {
  const fake = new FakeKubeApiServer(NS);
  let a: Candidate;
  let b: Candidate;

  before(async () => {
    await fake.start();
    a = candidate(fake, 'controller-a');
    b = candidate(fake, 'controller-b');
    const aLeads = transitionTo(a, 'leader');
    a.elector.start();
    await aLeads;
    b.elector.start();
  });

  after(async () => {
    await Promise.all([a.elector.stop(), b.elector.stop()]);
    await fake.stop();
  });

  it('the first creates the Lease and leads; the second only reads and follows', async () => {
    const lease = fake.lease(LEASE);
    assert.equal(lease?.spec.holderIdentity, 'controller-a');
    assert.equal(lease?.spec.leaseDurationSeconds, 2);
    assert.equal(writesBy(fake, 'controller-a', 'POST').length, 1);
    // b reads three more times.
    await fake.answered((call) => call.user === 'controller-b' && call.method === 'GET', 3);
    assert.equal(b.elector.state, 'follower');
    assert.equal(b.elector.leader(), 'controller-a');
    assert.equal(
      writesBy(fake, 'controller-b', 'PUT').length + writesBy(fake, 'controller-b', 'POST').length,
      0,
    );
  });

  it('a partitioned leader steps down at its renew deadline; the follower takes over only after the lease duration', async (t) => {
    const aStepsDown = transitionTo(a, 'stepping-down');
    const bLeads = transitionTo(b, 'leader');
    fake.partition('controller-a', 'silent');
    const partitionedAt = Date.now();
    const steppedDown = await aStepsDown;
    const led = await bLeads;
    assert.equal(steppedDown.reason, 'renew-deadline');
    const stoppedActing = a.stoppedActingAtMs.at(-1) ?? Number.POSITIVE_INFINITY;
    t.diagnostic(
      `a stepped down ${steppedDown.atMs - partitionedAt} ms after the partition; b led ${led.atMs - partitionedAt} ms after it, ${led.atMs - stoppedActing} ms after a stopped acting`,
    );
    assert.ok(steppedDown.atMs - partitionedAt <= TIMINGS.renewDeadlineMs + 100, 'within the renew deadline');
    assert.ok(led.atMs > stoppedActing, 'b leads only after a stopped acting');
    const lastRenewal = fake.calls.findLast(
      (call) => call.user === 'controller-a' && call.method === 'PUT' && call.code === 200,
    );
    assert.ok(
      lastRenewal !== undefined && led.atMs - lastRenewal.atMs >= TIMINGS.leaseDurationMs,
      'b waited out the lease from a’s last renewal',
    );
    assert.ok(
      led.atMs - partitionedAt <= TIMINGS.leaseDurationMs + TIMINGS.retryPeriodMs + 500,
      'and not much longer',
    );
    assert.equal(fake.lease(LEASE)?.spec.holderIdentity, 'controller-b');
    assert.equal(fake.lease(LEASE)?.spec.leaseTransitions, 1);
  });

  it('healed, the old leader finds the new holder and follows without writing', async () => {
    const putsBefore = writesBy(fake, 'controller-a', 'PUT').length;
    const twoReads = fake.answered(
      (call) => call.user === 'controller-a' && call.method === 'GET' && call.code === 200,
      2,
    );
    fake.heal('controller-a');
    await twoReads;
    assert.equal(a.elector.state, 'follower');
    assert.equal(a.elector.leader(), 'controller-b');
    assert.equal(writesBy(fake, 'controller-a', 'PUT').length, putsBefore);
  });

  it('the leader releases the Lease on stop, and the follower takes it within one retry period', async (t) => {
    const aLeads = transitionTo(a, 'leader');
    const stopAt = Date.now();
    await b.elector.stop();
    const led = await aLeads;
    const released = fake.calls
      .filter((call) => call.user === 'controller-b' && call.method === 'PUT')
      .at(-1);
    assert.equal(released?.code, 200);
    assert.deepEqual(
      b.transitions.slice(-2).map((transition) => `${transition.to}:${transition.reason}`),
      ['stepping-down:shutdown', 'stopped:released'],
    );
    t.diagnostic(
      `handover after b stopped: ${led.atMs - stopAt} ms (retry period ${TIMINGS.retryPeriodMs} ms)`,
    );
    assert.ok(led.atMs - stopAt <= TIMINGS.retryPeriodMs + 300, `handover ${led.atMs - stopAt} ms`);
    assert.equal(fake.lease(LEASE)?.spec.holderIdentity, 'controller-a');
    assert.equal(fake.lease(LEASE)?.spec.leaseTransitions, 2, 'a, then b, then a again');
  });
});
