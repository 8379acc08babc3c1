// With no policy, the loop must be invisible: every request the load generator sends is admitted by
// Sluice's decision (x-sluice-decision: allowed, not a fail-open) and answered by the upstream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLoad } from '@sluice/demo';
import { Topology } from '@sluice/e2e-kit';

let topology: Topology;

before(async () => {
  topology = await Topology.start({ policies: {}, upstream: { concurrency: 10, latencyMs: 50 } });
});

after(async () => {
  await topology?.stop();
});

test('no policy: every request passes, decided by the agent', async () => {
  const rate = 50;
  const run = startLoad(
    {
      workloads: [
        {
          name: 'subscribers',
          kind: 'open-loop',
          headers: { 'user-type': 'subscriber' },
          userIds: { count: 10, prefix: 's' },
        },
        {
          name: 'guests',
          kind: 'open-loop',
          headers: { 'user-type': 'guest' },
          userIds: { count: 10, prefix: 'g' },
        },
      ],
      stages: [{ name: 'steady', durationMs: 4_000, targets: { subscribers: rate, guests: rate } }],
    },
    { target: topology.proxyUrl },
  );
  const report = await run.done;
  const stats = await topology.proxyStats();
  let total = 0;
  for (const [name, workload] of Object.entries(report.workloads)) {
    assert.ok(workload.offered >= 150, `${name}: offered ${workload.offered}`);
    assert.equal(
      workload.admitted,
      workload.offered,
      `${name}: admitted ${workload.admitted} of ${workload.offered}`,
    );
    assert.equal(workload.ok, workload.offered, `${name}: ${workload.ok} answered 200`);
    assert.deepEqual(workload.rejected, {});
    assert.equal(workload.failed, 0);
    total += workload.offered;
  }
  // Sluice decided each one (not a fail-open).
  assert.equal(stats.failureModeAllowed, 0);
  assert.deepEqual(stats.extAuthzError, {});
  assert.ok(stats.extAuthzOk >= total, `ext_authz ok ${stats.extAuthzOk} < ${total} requests`);
});
