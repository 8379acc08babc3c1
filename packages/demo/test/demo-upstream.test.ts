import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoUpstream, type RunningUpstream } from '../src/demo-upstream.js';
import { seededRandom } from '../src/random-source.js';
import { httpGet } from './support/http-call.js';

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
    const calls = Array.from({ length: 40 }, () => httpGet(`${server.url}/request`));
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
    const answer = await httpGet(`${server.url}/request`);
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
      const answers = await Promise.all(Array.from({ length: 50 }, () => httpGet(`${server.url}/request`)));
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
    const slow = httpGet(`${server.url}/request`);
    const stats = await httpGet(`${server.url}/_demo/stats`);
    assert.equal(stats.status, 200);
    const body = JSON.parse(stats.body) as { servedOk: number; uptimeMs: number };
    assert.equal(body.servedOk, 0);
    assert.ok(body.uptimeMs >= 0);
    await slow;
    const seconds = JSON.parse((await httpGet(`${server.url}/_demo/stats/seconds`)).body) as {
      servedOk: number;
    }[];
    assert.equal(
      seconds.reduce((sum, second) => sum + second.servedOk, 0),
      1,
    );
    const window = JSON.parse((await httpGet(`${server.url}/_demo/stats/window?from=0&to=3600`)).body) as {
      servedOk: number;
      latency: { p90Ms: number };
    };
    assert.equal(window.servedOk, 1);
    assert.ok(window.latency.p90Ms >= 190);
    assert.deepEqual(server.window(0, 3600).servedOk, 1);
    assert.equal((await httpGet(`${server.url}/_demo/stats/nope`)).status, 404);
  });

  it('rejects a bad config', async () => {
    await assert.rejects(startDemoUpstream({ concurrency: 0 }), /concurrency/);
    await assert.rejects(startDemoUpstream({ errorRatio: 1.5 }), /errorRatio/);
  });
});
