// Per-user rate limit end to end: one token bucket per `user-id` (burst B, fill F per second,
// continuous). Each user offers well over F; Sluice answers the excess 429 with retry-after, and each
// user's accepted count stays within 5% of B + F × elapsed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DECISION_HEADER, startLoad } from '@sluice/demo';
import { perUserRateLimitPolicy, Topology } from '@sluice/e2e-kit';

const BUCKET = 20;
const FILL_PER_SECOND = 5;
const RATE_PER_USER = 20;
const DURATION_MS = 12_000;
const USERS = ['alice', 'bob', 'carol'];

let topology: Topology;

before(async () => {
  topology = await Topology.start({
    policies: {
      'per-user-limit': perUserRateLimitPolicy('per-user-limit', {
        bucketCapacity: BUCKET,
        fillAmount: FILL_PER_SECOND,
      }),
    },
    upstream: { concurrency: 20, latencyMs: 10 },
  });
});

after(async () => {
  await topology?.stop();
});

test('per-user rate limit: accepted within 5% of burst + fill × elapsed, the rest 429', async (t) => {
  const run = startLoad(
    {
      workloads: USERS.map((user) => ({
        name: user,
        kind: 'open-loop' as const,
        headers: { 'user-id': user },
      })),
      stages: [
        {
          name: 'steady',
          durationMs: DURATION_MS,
          targets: Object.fromEntries(USERS.map((user) => [user, RATE_PER_USER])),
        },
      ],
    },
    { target: topology.proxyUrl },
  );
  const report = await run.done;
  // Evenly spaced arrivals: the first at 0, the last one interval before the end.
  const elapsedSeconds = (DURATION_MS - 1000 / RATE_PER_USER) / 1000;
  const expected = BUCKET + FILL_PER_SECOND * elapsedSeconds;
  const lines: string[] = [];
  for (const user of USERS) {
    const workload = report.workloads[user];
    assert.ok(workload);
    lines.push(
      `${user}: offered ${workload.offered}, accepted ${workload.admitted}, 429 ${workload.rejected['429'] ?? 0}`,
    );
    assert.equal(workload.failed, 0);
    assert.ok(
      Math.abs(workload.admitted - expected) <= 0.05 * expected,
      `${user}: accepted ${workload.admitted}, expected ${expected} ± 5%`,
    );
    assert.equal(
      workload.admitted + (workload.rejected['429'] ?? 0),
      workload.offered,
      `${user}: every rejection is a 429`,
    );
  }
  t.diagnostic(`expected ${expected.toFixed(1)} per user; ${lines.join('; ')}`);
  const stats = await topology.proxyStats();
  assert.equal(stats.failureModeAllowed, 0);
});

test('a rejected request is 429 with a retry-after of whole seconds, decided by Sluice', async () => {
  const statuses: number[] = [];
  let rejected: Response | undefined;
  for (let index = 0; index < BUCKET + 5 && rejected === undefined; index += 1) {
    const response = await fetch(topology.proxyUrl + '/request', {
      headers: { 'user-id': 'dave' },
      signal: AbortSignal.timeout(5_000),
    });
    statuses.push(response.status);
    if (response.status === 429) rejected = response;
    else await response.arrayBuffer();
  }
  assert.ok(rejected, `no 429 in ${BUCKET + 5} back-to-back requests: ${statuses.join(',')}`);
  assert.ok(statuses.filter((status) => status === 200).length >= BUCKET - 1, `burst: ${statuses.join(',')}`);
  assert.equal(rejected.headers.get(DECISION_HEADER), 'denied');
  const retryAfter = rejected.headers.get('retry-after');
  assert.match(retryAfter ?? '', /^[1-9][0-9]*$/, `retry-after ${retryAfter}`);
  await rejected.arrayBuffer();
  // Another user's bucket is untouched.
  const other = await fetch(topology.proxyUrl + '/request', {
    headers: { 'user-id': 'erin' },
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(other.status, 200);
  await other.arrayBuffer();
});
