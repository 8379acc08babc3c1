import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoUpstream, type RunningUpstream } from '../src/demo-upstream.js';
import { seededRandom } from '@sluice/clock';
import { request } from 'node:http';
import { httpCall } from '@sluice/testkit';
import { ManualClock } from '@sluice/clock/manual';

const running: RunningUpstream[] = [];
async function upstream(...args: Parameters<typeof startDemoUpstream>): Promise<RunningUpstream> {
  const started = await startDemoUpstream(...args);
  running.push(started);
  return started;
}

after(async () => {
  for (const server of running) await server.stop();
});

describe('demo upstream', () => {
  it("defaults to Aperture's demo app: 10 workers, 50 ms, 5% errors", async () => {
    const server = await upstream();
    assert.deepEqual(
      {
        concurrency: server.config.concurrency,
        latencyMs: server.config.latencyMs,
        errorRatio: server.config.errorRatio,
      },
      { concurrency: 10, latencyMs: 50, errorRatio: 0.05 },
    );
  });

  it('serves at most N at once and queues the rest in order', async () => {
    const server = await upstream({ concurrency: 4, latencyMs: 40, errorRatio: 0 });
    const started = performance.now();
    const calls = Array.from({ length: 40 }, () => httpCall(`${server.url}/request`));
    await Promise.race(calls);
    const midway = server.stats();
    assert.equal(midway.inService, 4);
    assert.ok(midway.queueLength > 0, `queue ${midway.queueLength}`);
    const answers = await Promise.all(calls);
    const elapsed = performance.now() - started;
    assert.ok(answers.every((answer) => answer.status === 200));
    const stats = server.stats();
    assert.equal(stats.maxInService, 4);
    assert.equal(stats.servedOk, 40);
    // 40 requests through 4 workers of 40 ms is 10 rounds: at least 400 ms.
    assert.ok(elapsed >= 390 && elapsed < 400 + 2000, `took ${elapsed.toFixed(0)} ms`);
    // Arrivals spread out under load, so only require that someone waited a full service time.
    assert.ok(stats.queueWait.maxMs >= 40, `longest wait ${stats.queueWait.maxMs} ms`);
  });

  it('holds each request for its latency', async () => {
    const server = await upstream({ latencyMs: 50, errorRatio: 0 });
    const started = performance.now();
    const answer = await httpCall(`${server.url}/request`);
    const elapsed = performance.now() - started;
    assert.equal(answer.status, 200);
    assert.ok(elapsed >= 48 && elapsed < 50 + 1000, `took ${elapsed.toFixed(0)} ms`);
    assert.ok(server.stats().latency.p50Ms >= 48);
  });

  it('answers 500 for the configured share of requests, drawn from the random source', async () => {
    const seed = 1234;
    const server = await upstream(
      { concurrency: 64, latencyMs: 0, errorRatio: 0.05 },
      { random: seededRandom(seed) },
    );
    let errors = 0;
    for (let batch = 0; batch < 40; batch += 1) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => httpCall(`${server.url}/request`)));
      errors += answers.filter((answer) => answer.status === 500).length;
      assert.ok(answers.every((answer) => answer.status === 200 || answer.status === 500));
    }
    // One draw per request from the same seeded sequence: the count is exactly reproducible.
    const draws = seededRandom(seed);
    const expected = Array.from({ length: 2000 }, () => draws()).filter((value) => value < 0.05).length;
    assert.equal(errors, expected);
    assert.ok(Math.abs(errors / 2000 - 0.05) < 0.015, `error ratio ${errors / 2000}`);
    assert.deepEqual([server.stats().servedOk, server.stats().servedError], [2000 - errors, errors]);
  });

  it('serves its stats without queueing them: totals, per second and a window', async () => {
    const server = await upstream({ concurrency: 1, latencyMs: 200, errorRatio: 0 });
    const slow = httpCall(`${server.url}/request`);
    const stats = await httpCall(`${server.url}/_demo/stats`);
    assert.equal(stats.status, 200);
    const body = JSON.parse(stats.body) as { servedOk: number; uptimeMs: number };
    assert.equal(body.servedOk, 0);
    assert.ok(body.uptimeMs >= 0);
    await slow;
    const seconds = JSON.parse((await httpCall(`${server.url}/_demo/stats/seconds`)).body) as {
      servedOk: number;
    }[];
    assert.equal(
      seconds.reduce((sum, second) => sum + second.servedOk, 0),
      1,
    );
    const window = JSON.parse((await httpCall(`${server.url}/_demo/stats/window?from=0&to=3600`)).body) as {
      servedOk: number;
      latency: { p90Ms: number };
    };
    assert.equal(window.servedOk, 1);
    assert.ok(window.latency.p90Ms >= 190);
    assert.deepEqual(server.window(0, 3600).servedOk, 1);
    assert.equal((await httpCall(`${server.url}/_demo/stats/nope`)).status, 404);
  });

  it('rejects a bad config', async () => {
    await assert.rejects(startDemoUpstream({ concurrency: 0 }), /concurrency/);
    await assert.rejects(startDemoUpstream({ errorRatio: 1.5 }), /errorRatio/);
    await assert.rejects(startDemoUpstream({ overload: 'drop' as 'queue' }), /overload/);
    await assert.rejects(startDemoUpstream({ stallMs: -1 }), /stallMs/);
  });
});

/** Resolves once `condition` holds, checking after each turn of the event loop (never a fixed sleep). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('demo upstream overload modes (manual clock: service times pass only when the test says)', () => {
  it('fast-503: with both workers busy, 3 more requests are answered 503 at once, before any time passes', async () => {
    const clock = new ManualClock();
    const server = await upstream(
      { concurrency: 2, latencyMs: 100, errorRatio: 0, overload: 'fast-503' },
      { clock },
    );
    const served = [httpCall(`${server.url}/a`), httpCall(`${server.url}/b`)];
    await until(() => server.stats().inService === 2, 'two requests in service');
    const rejected = await Promise.all([1, 2, 3].map((n) => httpCall(`${server.url}/c${n}`)));
    assert.deepEqual(
      rejected.map((answer) => [answer.status, JSON.parse(answer.body) as unknown]),
      [1, 2, 3].map(() => [503, { ok: false, overloaded: true }]),
    );
    assert.equal(clock.now(), 0);
    clock.advance(100);
    assert.deepEqual(
      (await Promise.all(served)).map((answer) => answer.status),
      [200, 200],
    );
    const stats = server.stats();
    assert.deepEqual(
      [stats.servedOk, stats.overloadRejected, stats.stalled, stats.queueLength],
      [2, 3, 0, 0],
    );
    assert.equal(server.window(0, 3600).overloadRejected, 3);
  });

  it('stall: with the worker busy, requests are held unserved for stallMs; one whose client leaves ends with it', async () => {
    const clock = new ManualClock();
    const server = await upstream(
      { concurrency: 1, latencyMs: 100, errorRatio: 0, overload: 'stall', stallMs: 60_000 },
      { clock },
    );
    const first = httpCall(`${server.url}/first`);
    await until(() => server.stats().inService === 1, 'the worker busy');
    let heldAnswer: { status: number; body: string } | undefined;
    const held = httpCall(`${server.url}/held`).then((answer) => (heldAnswer = answer));
    await until(() => server.stats().stalling === 1, 'one stall');
    const leaving = request(`${server.url}/leaving`);
    leaving.on('error', () => undefined);
    leaving.end();
    await until(() => server.stats().stalling === 2, 'two stalls');
    leaving.destroy(); // the proxy's route timeout resets it like this
    await until(() => server.stats().stalling === 1, 'the abandoned stall ended');

    clock.advance(100);
    assert.equal((await first).status, 200);
    clock.advance(59_800); // 59,900 ms after the stall began: still held
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(heldAnswer, undefined);
    clock.advance(100);
    const answer = await held;
    assert.deepEqual(
      [answer.status, JSON.parse(answer.body) as unknown],
      [503, { ok: false, stalled: true }],
    );
    const stats = server.stats();
    assert.deepEqual([stats.servedOk, stats.stalled, stats.stalling, stats.inService], [1, 2, 0, 0]);
    assert.equal(clock.pendingTimers, 0, 'the abandoned stall left no timer behind');
  });
});
