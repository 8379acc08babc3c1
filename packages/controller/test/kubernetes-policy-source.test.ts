/**
 * The Kubernetes policy source against a fake API server (FakeKubeApiServer from @sluice/testkit).
 * No real API server can run here, so the fake is faithful exactly where informers break: 410 Gone
 * delivered as an in-stream ERROR event after compaction, BOOKMARK events, 409 Conflict on a status
 * patch with a stale resourceVersion, and failing list/watch requests that the source must survive
 * by restarting. The client is the real @kubernetes/client-node over real HTTP.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { PolicyRegistry } from '../src/policies/policy-registry.js';
import { KubernetesPolicySource } from '../src/sources/kubernetes-policy-source.js';
import { FakeKubeApiServer } from '@sluice/testkit';
import { basicServiceProtection } from './support/fixture-policy.js';
import { nextChange } from './support/registry-events.js';

const NS = 'sluice-system';

function misspelled(name: string) {
  const document = basicServiceProtection();
  document.metadata.name = name;
  document.spec.loadSchedulers[0].workloadz = document.spec.loadSchedulers[0].workloads;
  return document as { metadata: { name: string }; spec: unknown };
}

function statusWritten(source: KubernetesPolicySource, name: string): Promise<unknown[]> {
  return new Promise((resolve) => {
    const listener = (written: string, status: unknown) => {
      if (written !== name) return;
      source.events.off('status-written', listener);
      resolve([written, status]);
    };
    source.events.on('status-written', listener);
  });
}

function watchEvent(source: KubernetesPolicySource, type: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (seen: string) => {
      if (seen !== type) return;
      source.events.off('watch-event', listener);
      resolve();
    };
    source.events.on('watch-event', listener);
  });
}

const lists = (fake: FakeKubeApiServer) =>
  fake.requests.filter(
    (request) =>
      request.startsWith('GET') && !request.includes('watch=true') && request.endsWith('/flowpolicies'),
  ).length;

describe('KubernetesPolicySource against a faithful fake API server', { timeout: 20_000 }, () => {
  const fake = new FakeKubeApiServer(NS);
  const registry = new PolicyRegistry();
  let source: KubernetesPolicySource;
  const warnings: string[] = [];

  before(async () => {
    await fake.start();
    fake.apply(basicServiceProtection() as { metadata: { name: string }; spec: unknown });
    fake.apply(misspelled('typo-policy'));
    // The first two lists fail: the source must retry rather than give up as ListWatch does.
    fake.failLists(2);
    source = new KubernetesPolicySource({
      kubeConfig: fake.kubeConfig(),
      namespace: NS,
      retryDelayMs: 10,
      maxRetryDelayMs: 40,
      log: () => undefined,
      warn: (message) => warnings.push(message),
    });
    const written = Promise.all([
      statusWritten(source, 'basic-service-protection'),
      statusWritten(source, 'typo-policy'),
    ]);
    await source.start(registry);
    await written;
  });

  after(async () => {
    await source.stop();
    await fake.stop();
  });

  it('survives failing lists by retrying with backoff, then loads every FlowPolicy in its namespace', () => {
    assert.equal(warnings.filter((message) => message.includes('retrying')).length, 2);
    assert.equal(lists(fake), 3);
    assert.deepEqual(
      registry.entries().map((entry) => [entry.sourceKey, entry.status]),
      [
        [`${NS}/basic-service-protection`, 'Valid'],
        [`${NS}/typo-policy`, 'Invalid'],
      ],
    );
  });

  it('writes Ready=True with observedGeneration through the status subresource', () => {
    const status = fake.get('basic-service-protection')?.status as any;
    assert.equal(status.observedGeneration, 1);
    assert.equal(status.policyHash, registry.get(`${NS}/basic-service-protection`)?.hash);
    assert.deepEqual(
      status.conditions.map((condition: any) => [
        condition.type,
        condition.status,
        condition.reason,
        condition.observedGeneration,
      ]),
      [['Ready', 'True', 'Valid', 1]],
    );
    assert.ok(
      fake.requests.some(
        (request) =>
          request ===
          `PATCH /apis/sluice.dev/v1alpha1/namespaces/${NS}/flowpolicies/basic-service-protection/status`,
      ),
    );
  });

  it('writes Ready=False with the path-precise reason for a misspelled field', () => {
    const [condition] = (fake.get('typo-policy')?.status as any).conditions;
    assert.equal(condition.status, 'False');
    assert.equal(condition.reason, 'Invalid');
    assert.ok(
      condition.message.startsWith('spec.loadSchedulers[0].workloadz: [{"name":"guests"'),
      condition.message,
    );
    assert.ok(
      condition.message.endsWith('... is not allowed; unknown field (did you mean "workloads"?)'),
      condition.message,
    );
  });

  it('does not recompile on its own status writes (generation unchanged)', async () => {
    let changes = 0;
    registry.onChange(() => (changes += 1));
    await fake.liveWatch();
    const caughtUp = watchEvent(source, 'BOOKMARK');
    fake.bookmark(); // a round trip proves the watch is live and has delivered everything before it
    await caughtUp;
    assert.equal(changes, 0);
  });

  it('applies a new generation, keeps the last good one running when it is invalid, and reports both', async () => {
    const good = registry.get(`${NS}/basic-service-protection`)?.hash;
    const broken = basicServiceProtection();
    broken.spec.loadSchedulers[0].averageLatency.latencyToleranceMultiplier = 0.5;
    const written = statusWritten(source, 'basic-service-protection');
    fake.apply(broken as { metadata: { name: string }; spec: unknown });
    await written;
    const entry = registry.get(`${NS}/basic-service-protection`);
    assert.equal(entry?.status, 'Invalid');
    assert.equal(entry?.running?.policyHash, good);
    const status = fake.get('basic-service-protection')?.status as any;
    assert.equal(status.observedGeneration, 2);
    assert.equal(status.runningPolicyHash, good);
    assert.equal(status.conditions[0].reason, 'Invalid');
    assert.match(
      status.conditions[0].message,
      /^spec\.loadSchedulers\[0\]\.averageLatency\.latencyToleranceMultiplier: 0\.5 is not allowed; must be > 1\nthe last valid version \(hash [0-9a-f]{32}\) keeps running$/,
    );
  });

  it('re-reads and retries a status patch that got 409 Conflict for a stale resourceVersion', async () => {
    fake.touchBeforeNextStatusPatch();
    const conflict = once(source.events, 'status-conflict');
    const written = statusWritten(source, 'basic-service-protection');
    fake.apply(basicServiceProtection() as { metadata: { name: string }; spec: unknown });
    await conflict;
    await written;
    const object = fake.get('basic-service-protection');
    assert.equal((object?.metadata.labels as any)?.touched, 'true');
    assert.equal((object?.status as any).observedGeneration, 3);
    assert.equal((object?.status as any).conditions[0].status, 'True');
  });

  it('advances with bookmarks: after compaction a dropped watch resumes from the bookmark without relisting', async () => {
    const listsBefore = lists(fake);
    // Other resources moved etcd's revision; only a bookmark tells this watch about it.
    fake.advanceResourceVersion(50);
    await fake.liveWatch();
    const bookmark = watchEvent(source, 'BOOKMARK');
    fake.bookmark();
    await bookmark;
    const bookmarkVersion = fake.currentResourceVersion;
    fake.compact();
    const rewatch = once(source.events, 'watching');
    fake.dropWatches();
    const [fromVersion] = (await rewatch) as [string];
    assert.equal(fromVersion, bookmarkVersion, 'resumes at the bookmark, which is not too old');
    await fake.liveWatch();
    const caughtUp = watchEvent(source, 'BOOKMARK');
    fake.bookmark();
    await caughtUp;
    assert.equal(lists(fake), listsBefore, 'no relist');
  });

  it('relists after a 410 Gone delivered as an in-stream ERROR event', async () => {
    const listsBefore = lists(fake);
    const gone = new Promise<void>((resolve) => {
      const listener = (reason: string) => {
        if (reason !== 'gone') return;
        source.events.off('restarted', listener);
        resolve();
      };
      source.events.on('restarted', listener);
    });
    const relisted = once(source.events, 'listed');
    await fake.liveWatch();
    fake.expireWatches();
    await gone;
    await relisted;
    assert.equal(lists(fake), listsBefore + 1);
  });

  it('restarts after a failed watch and, after relisting, removes a FlowPolicy deleted while it was away', async () => {
    const failed = once(source.events, 'failed');
    await fake.liveWatch();
    fake.failWatches(1);
    fake.dropWatches();
    await failed;
    // The watch is down now; the deletion and a compaction happen before the retry.
    const removed = nextChange(
      registry,
      (change) => change.kind === 'removed' && change.entry.sourceKey === `${NS}/typo-policy`,
    );
    fake.delete('typo-policy');
    fake.compact();
    await removed;
    assert.equal(registry.get(`${NS}/typo-policy`), undefined);
  });

  it('persists a baseline in status.controlLoops and loads it back after a restart', async () => {
    const baseline = {
      version: 1 as const,
      learnedTicks: 60,
      buckets: [{ ticks: 30, count: 3000, sumMs: 150_000 }],
    };
    const written = once(source.events, 'baseline-written');
    source.baselineStore().save('basic-service-protection/service1', baseline);
    await written;
    assert.deepEqual(
      (fake.get('basic-service-protection')?.status as any).controlLoops.service1.baseline,
      baseline,
    );
    // Status conditions written earlier are untouched by the baseline's merge patch.
    assert.equal((fake.get('basic-service-protection')?.status as any).conditions[0].type, 'Ready');

    // A newer baseline within the 30 s write interval is held back, and written on stop.
    const newer = { ...baseline, learnedTicks: 61 };
    source.baselineStore().save('basic-service-protection/service1', newer);
    assert.equal(
      (fake.get('basic-service-protection')?.status as any).controlLoops.service1.baseline.learnedTicks,
      60,
    );
    await source.stop();
    assert.deepEqual(
      (fake.get('basic-service-protection')?.status as any).controlLoops.service1.baseline,
      newer,
    );

    const restarted = new KubernetesPolicySource({
      kubeConfig: fake.kubeConfig(),
      namespace: NS,
      log: () => undefined,
      warn: () => undefined,
    });
    await restarted.start(new PolicyRegistry());
    try {
      assert.deepEqual(restarted.baselineStore().load('basic-service-protection/service1'), newer);
    } finally {
      await restarted.stop();
    }
  });
});

describe('KubernetesPolicySource on a follower (leader election)', { timeout: 20_000 }, () => {
  it('writes no status or baseline while it may not, keeps the leader’s baselines in its cache, and resyncs stale status once it leads', async () => {
    const fake = new FakeKubeApiServer(NS);
    await fake.start();
    fake.apply(basicServiceProtection() as { metadata: { name: string }; spec: unknown });
    let leading = false;
    const source = new KubernetesPolicySource({
      kubeConfig: fake.kubeConfig(),
      namespace: NS,
      mayWrite: () => leading,
      log: () => undefined,
      warn: () => undefined,
    });
    const statusPatches = () => fake.calls.filter((call) => call.method === 'PATCH').length;
    try {
      await source.start(new PolicyRegistry());
      assert.equal(statusPatches(), 0, 'a follower writes no status');
      source.baselineStore().save('basic-service-protection/service1', {
        version: 1,
        learnedTicks: 1,
        buckets: [],
      });
      assert.equal(statusPatches(), 0, 'nor baselines');

      // The leader saves a baseline; the follower's cache follows the watch.
      const leaderBaseline = {
        version: 1 as const,
        learnedTicks: 60,
        buckets: [{ ticks: 60, count: 600, sumMs: 30_000 }],
      };
      await fake.liveWatch();
      const seen = watchEvent(source, 'MODIFIED');
      fake.setStatus('basic-service-protection', {
        controlLoops: { service1: { baseline: leaderBaseline } },
      });
      await seen;
      assert.deepEqual(source.baselineStore().load('basic-service-protection/service1'), leaderBaseline);

      leading = true;
      const written = statusWritten(source, 'basic-service-protection');
      await source.resyncStatus();
      await written;
      const status = fake.get('basic-service-protection')?.status as any;
      assert.equal(status.observedGeneration, 1);
      assert.equal(status.conditions[0].status, 'True');
      assert.deepEqual(
        status.controlLoops.service1.baseline,
        leaderBaseline,
        'the merge patch keeps the baseline',
      );
      const patches = statusPatches();
      await fake.liveWatch();
      const caughtUp = watchEvent(source, 'BOOKMARK');
      fake.bookmark();
      await caughtUp;
      await source.resyncStatus();
      assert.equal(statusPatches(), patches, 'a current status is not written again');
    } finally {
      await source.stop();
      await fake.stop();
    }
  });
});
