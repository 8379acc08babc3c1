import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoUpstream, type RunningUpstream } from '../src/demo-upstream.js';
import { startLoad } from '../src/load-generator.js';
import { startStatusServer, type StatusServer } from './support/status-server.js';

let fast: RunningUpstream;
let statusServer: StatusServer;

before(async () => {
  fast = await startDemoUpstream({ concurrency: 200, latencyMs: 0, errorRatio: 0 });
  // Guests are rate limited, subscribers pass; the mix shows both outcomes.
  statusServer = await startStatusServer((headers) =>
    headers['user-type'] === 'guest' ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
  );
});

after(async () => {
  await fast.stop();
  await statusServer.stop();
});

describe('load generator', () => {
  it('holds an open-loop rate within 10% over 2 s, whatever the answers', async () => {
    const before = fast.stats().servedOk;
    const seconds: number[] = [];
    const run = startLoad(
      {
        workloads: [{ name: 'guests', kind: 'open-loop' }],
        stages: [{ name: 'steady', durationMs: 2000, targets: { guests: 200 } }],
      },
      { target: fast.url, onSecond: (second) => seconds.push(second) },
    );
    const report = await run.done;
    const guests = report.workloads['guests'];
    assert.ok(guests);
    assert.equal(report.stoppedBy, 'schedule');
    assert.ok(Math.abs(guests.offered - 400) <= 40, `offered ${guests.offered}`);
    assert.ok(
      Math.abs(fast.stats().servedOk - before - 400) <= 40,
      `served ${fast.stats().servedOk - before}`,
    );
    // Per second is bucketed by actual send time, which a busy event loop can shift a little.
    for (const second of guests.perSecond.slice(0, 2))
      assert.ok(Math.abs(second.offered - 200) <= 40, `second ${second.second}: ${second.offered}`);
    assert.equal(guests.admitted, guests.offered);
    assert.ok(report.durationMs >= 2000 && report.durationMs < 2000 + 1000, `ran ${report.durationMs} ms`);
    assert.deepEqual(seconds, [0, 1]);
  });

  it('ramps closed-loop virtual users stage by stage, each waiting for its answer', async () => {
    const upstream = await startDemoUpstream({ concurrency: 100, latencyMs: 50, errorRatio: 0 });
    try {
      const run = startLoad(
        {
          workloads: [{ name: 'subscribers', kind: 'closed-loop' }],
          stages: [
            { name: 'three', durationMs: 1000, targets: { subscribers: 3 } },
            { name: 'six', durationMs: 1000, targets: { subscribers: 6 } },
          ],
        },
        { target: upstream.url },
      );
      const report = await run.done;
      const perSecond = report.workloads['subscribers']?.perSecond ?? [];
      assert.deepEqual(perSecond.map((second) => second.peakVirtualUsers).slice(0, 2), [3, 6]);
      assert.equal(upstream.stats().maxInService, 6);
      // Closed loop: N users at 50 ms or more per answer send at most about N × 20 requests per
      // second (a slow machine makes answers slower, never faster).
      const [first, second] = perSecond;
      assert.ok(first && second);
      assert.ok(first.offered >= 15 && first.offered <= 63, `3 VUs sent ${first.offered}`);
      assert.ok(second.offered >= 30 && second.offered <= 126, `6 VUs sent ${second.offered}`);
    } finally {
      await upstream.stop();
    }
  });

  it('sends workload headers and cycling user ids, and counts rejections by status', async () => {
    const seenBefore = statusServer.seen.length;
    const report = await startLoad(
      {
        workloads: [
          {
            name: 'guests',
            kind: 'open-loop',
            headers: { 'user-type': 'guest' },
            userIds: { count: 3, prefix: 'g' },
          },
          { name: 'subscribers', kind: 'open-loop', headers: { 'user-type': 'subscriber' } },
        ],
        stages: [{ name: 'mix', durationMs: 300, targets: { guests: 100, subscribers: 50 } }],
      },
      { target: statusServer.url },
    ).done;
    const guests = report.workloads['guests'];
    const subscribers = report.workloads['subscribers'];
    assert.ok(guests && subscribers);
    assert.equal(guests.admitted, 0);
    assert.deepEqual(guests.rejected, { '429': guests.offered });
    assert.equal(subscribers.admitted, subscribers.offered);
    assert.equal(subscribers.ok, subscribers.offered);
    const guestIds = statusServer.seen
      .slice(seenBefore)
      .filter((headers) => headers['user-type'] === 'guest')
      .map((headers) => headers['user-id']);
    // Ids cycle g0, g1, g2 in send order; requests on parallel connections may arrive reordered, so count them.
    const counts = new Map<string, number>();
    for (const id of guestIds) counts.set(String(id), (counts.get(String(id)) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort(), ['g0', 'g1', 'g2']);
    assert.ok(Math.max(...counts.values()) - Math.min(...counts.values()) <= 1, JSON.stringify([...counts]));
  });

  it('counts the upstream 500s as admitted requests that failed', async () => {
    const failing = await startDemoUpstream({ concurrency: 50, latencyMs: 0, errorRatio: 1 });
    try {
      const report = await startLoad(
        {
          workloads: [{ name: 'w', kind: 'open-loop' }],
          stages: [{ name: 's', durationMs: 200, targets: { w: 100 } }],
        },
        { target: failing.url },
      ).done;
      const w = report.workloads['w'];
      assert.ok(w && w.offered > 0);
      assert.deepEqual([w.admitted, w.upstreamErrors, w.ok], [w.offered, w.offered, 0]);
    } finally {
      await failing.stop();
    }
  });

  it('stops by itself at maxRequests, or when told to', async () => {
    const capped = await startLoad(
      {
        workloads: [{ name: 'w', kind: 'open-loop' }],
        stages: [{ name: 'long', durationMs: 60_000, targets: { w: 500 } }],
        maxRequests: 50,
      },
      { target: fast.url },
    ).done;
    assert.equal(capped.stoppedBy, 'max-requests');
    assert.equal(capped.requests, 50);
    assert.ok(capped.durationMs < 5000);

    const run = startLoad(
      {
        workloads: [{ name: 'w', kind: 'closed-loop' }],
        stages: [{ name: 'long', durationMs: 60_000, targets: { w: 2 } }],
      },
      { target: fast.url },
    );
    const stopped = await run.stop();
    assert.equal(stopped.stoppedBy, 'stop');
    assert.equal(await run.done, stopped);
  });

  it('counts connection failures and only targets loopback', async () => {
    const report = await startLoad(
      {
        workloads: [{ name: 'w', kind: 'open-loop' }],
        stages: [{ name: 's', durationMs: 100, targets: { w: 50 } }],
      },
      { target: 'http://127.0.0.1:1' },
    ).done;
    assert.equal(report.workloads['w']?.failed, report.workloads['w']?.offered);
    assert.throws(
      () =>
        startLoad(
          {
            workloads: [{ name: 'w', kind: 'open-loop' }],
            stages: [{ name: 's', durationMs: 1, targets: {} }],
          },
          { target: 'http://192.0.2.1:80' },
        ),
      /is not allowed/,
    );
  });
});
