// The agent dies: the proxy fails open (as Envoy with failure_mode_allow) and serves every request;
// the agent comes back on the same port, resyncs from the controller, and Sluice decides again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DECISION_HEADER, startLoad } from '@sluice/demo';
import { perUserRateLimitPolicy, Topology } from '@sluice/e2e-kit';
import { waitFor } from '@sluice/testkit';

const BUCKET = 5;

let topology: Topology;

before(async () => {
  topology = await Topology.start({
    policies: {
      'per-user-limit': perUserRateLimitPolicy('per-user-limit', { bucketCapacity: BUCKET, fillAmount: 1 }),
    },
    upstream: { concurrency: 10, latencyMs: 10 },
  });
});

after(async () => {
  await topology?.stop();
});

/** Sends `count` requests as `user` one after another; returns the decision header of each. */
async function burst(user: string, count: number): Promise<{ status: number; decision: string | null }[]> {
  const answers = [];
  for (let index = 0; index < count; index += 1) {
    const response = await fetch(`${topology.proxyUrl}/request`, {
      headers: { 'user-id': user },
      signal: AbortSignal.timeout(5_000),
    });
    await response.arrayBuffer();
    answers.push({ status: response.status, decision: response.headers.get(DECISION_HEADER) });
  }
  return answers;
}

test('agent killed: the proxy fails open and serves every request; agent back: decisions resume', async (t) => {
  // Sluice decides: a user past the burst is denied.
  const decided = await burst('ann', BUCKET + 3);
  assert.ok(
    decided.some((answer) => answer.decision === 'denied' && answer.status === 429),
    JSON.stringify(decided),
  );
  const statsBefore = await topology.proxyStats();

  await topology.agent.kill();
  const run = startLoad(
    {
      workloads: [{ name: 'users', kind: 'open-loop', headers: { 'user-id': 'ann' } }],
      stages: [{ name: 'agent-down', durationMs: 3_000, targets: { users: 30 } }],
    },
    { target: topology.proxyUrl },
  );
  const report = await run.done;
  const users = report.workloads['users'];
  assert.ok(users);
  assert.ok(users.offered >= 80, `offered ${users.offered}`);
  assert.equal(users.ok, users.offered, `served ${users.ok} of ${users.offered} while the agent was down`);
  assert.equal(users.failed, 0);
  const statsDown = await topology.proxyStats();
  const failOpens = statsDown.failureModeAllowed - statsBefore.failureModeAllowed;
  assert.equal(failOpens, users.offered, `fail-opens ${failOpens} for ${users.offered} requests`);
  // Every answer said so: the header is failed-open, never allowed.
  const sample = await burst('ann', 3);
  assert.deepEqual(
    sample.map((answer) => answer.decision),
    ['failed-open', 'failed-open', 'failed-open'],
  );

  const restartedAt = Date.now();
  await topology.startAgent();
  const firstDecision = await waitFor(
    async () => {
      const [answer] = await burst('bea', 1);
      return answer?.decision === 'allowed' ? Date.now() : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 100, what: 'a request decided by the restarted agent' },
  );
  const resumed = await burst('cid', BUCKET + 3);
  assert.ok(
    resumed.some((answer) => answer.decision === 'denied' && answer.status === 429),
    JSON.stringify(resumed),
  );
  assert.ok(
    resumed.every((answer) => answer.decision !== 'failed-open'),
    JSON.stringify(resumed),
  );
  t.diagnostic(
    `${failOpens} requests failed open, all served; decisions resumed ${firstDecision - restartedAt} ms after the agent restart began`,
  );
});
