// Redis dies under steady load and comes back on the same port. The agent's global rate limit
// falls back to its local bucket within the call (no Check misses its deadline), counts the
// fallback, and goes back to Redis once Redis answers again: nothing is restarted.
//
// Two kinds of request go through the proxy at the same instants: rate-limited ones (a `user-id`,
// so a Redis bucket) and control ones (no `user-id`: the limiter admits them without a bucket). A
// stall of the shared machine fails both open alike; a Check made late by Redis fails only the first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { metricValue, perUserRateLimitPolicy, Topology } from '@sluice/e2e-kit';
import { RedisServer, waitFor } from '@sluice/testkit';
import { metricSum } from './support/metrics.js';
import { PairedProbe, type ProbeSeries } from './support/paired-probe.js';

/** Rate-limited requests per second, and as many control requests. */
const RATE_RPS = 60;
const USERS = 20;
/** How long Redis stays dead while the load runs. */
const OUTAGE_MS = 6_000;
/** The proxy's ext_authz timeout (its default, Envoy's 0.25 s in istioconfig). */
const CHECK_DEADLINE_S = 0.25;
/**
 * Back on Redis within: ioredis retries the connection every ≤ 2 s (`retryStrategy`), and the
 * circuit breaker, open while Redis is down, lets one probe through every 2 s (`openMs`); a
 * probe that succeeds closes it. Both in `packages/agent/src/token-bucket/`. Plus polling slack.
 */
const RECOVERY_BOUND_MS = 2_000 + 2_000 + 2_000;

let redis: RedisServer | undefined;
let topology: Topology;
let probe: PairedProbe | undefined;
const stopLoad = new AbortController();

before(async () => {
  redis = await RedisServer.start();
  topology = await Topology.start({
    policies: {
      'global-limit': perUserRateLimitPolicy('global-limit', {
        bucketCapacity: 5,
        fillAmount: 2,
        backend: 'redis',
      }),
    },
    upstream: { concurrency: 50, latencyMs: 5 },
    agentArgs: ['--redis-url', redis.url],
  });
});

after(async () => {
  stopLoad.abort();
  probe?.close();
  await topology?.stop();
  await redis?.kill();
});

interface Counts {
  readonly atMs: number;
  readonly redis: number;
  readonly fallback: number;
  readonly redisCallsOk: number;
  readonly circuitOpen: number;
}

async function counts(): Promise<Counts> {
  const metrics = await topology.agentMetrics();
  return {
    atMs: Date.now(),
    redis: metricSum(metrics, 'sluice_agent_rate_limiter_decision_source_total', 'source="redis"'),
    fallback: metricSum(metrics, 'sluice_agent_rate_limiter_decision_source_total', 'source="fallback"'),
    redisCallsOk: metricSum(metrics, 'sluice_agent_redis_calls_total', 'outcome="ok"'),
    circuitOpen: metricValue(metrics, 'sluice_agent_redis_circuit_open') ?? 0,
  };
}

test('Redis killed and restarted under load: fallback counted, no Check late, Redis used again', async (t) => {
  assert.ok(redis);
  const server = redis;
  const agentPid = topology.agent.pid;
  probe = new PairedProbe({
    limited: { url: topology.proxyUrl, headers: (index) => ({ 'user-id': `u${index % USERS}` }) },
    control: topology.proxyUrl,
  });
  const load = probe.run({ ratePerSecond: RATE_RPS, durationMs: 120_000, signal: stopLoad.signal });
  const healthy = await waitFor(
    async () => {
      const now = await counts();
      return now.redisCallsOk >= 100 && now.fallback === 0 ? now : undefined;
    },
    { timeoutMs: 20_000, what: '100 rate-limit decisions from Redis' },
  );
  assert.ok((await server.keys('sluice:rl:*')).length > 0, 'no bucket keys in the private Redis');

  // Kill Redis (no graceful shutdown, no pause: the process is gone and the port refuses).
  await server.kill('SIGKILL');
  const killedAt = Date.now();
  const killed = await counts();
  const firstFallback = await waitFor(
    async () => {
      const now = await counts();
      return now.fallback > healthy.fallback ? now : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 50, what: 'the first fallback decision after Redis died' },
  );
  const circuitOpened = await waitFor(
    async () => {
      const now = await counts();
      return now.circuitOpen === 1 ? now : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 50, what: 'the Redis circuit breaker open' },
  );
  // The outage lasts OUTAGE_MS under load: pacing the scenario, not waiting for the system.
  await delay(Math.max(0, killedAt + OUTAGE_MS - Date.now()));
  const down = await counts();

  await server.launch();
  const restartedAt = Date.now();
  const backOnRedis = await waitFor(
    async () => {
      const now = await counts();
      return now.redisCallsOk > down.redisCallsOk && now.circuitOpen === 0 ? now : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 100, what: 'rate-limit decisions from Redis again' },
  );
  const keysAfter = await waitFor(
    async () => {
      const keys = await server.keys('sluice:rl:*');
      return keys.length > 0 ? keys : undefined;
    },
    { timeoutMs: 5_000, what: 'bucket keys in the restarted Redis' },
  );
  // A few more seconds on Redis, then the run ends.
  await delay(3_000);
  const end = await counts();
  stopLoad.abort();
  const { limited, control } = (await load) as Record<'limited' | 'control', ProbeSeries>;
  assert.ok(limited && control);
  const stats = await topology.proxyStats();
  const metrics = await topology.agentMetrics();
  const checks = metricSum(metrics, 'sluice_agent_check_duration_seconds_count');
  const withinDeadline = metricSum(
    metrics,
    'sluice_agent_check_duration_seconds_bucket',
    `le="${CHECK_DEADLINE_S}"`,
  );
  const deadlineMisses = metricSum(metrics, 'sluice_agent_check_deadline_misses_total');
  const proxyFailOpens = stats.failureModeAllowed;
  const failedOpen = (series: ProbeSeries) => series.decisions['failed-open'] ?? 0;
  const fallbackDown = down.fallback - healthy.fallback;
  const fallbackAfter = end.fallback - backOnRedis.fallback;
  const redisAfter = end.redisCallsOk - backOnRedis.redisCallsOk;
  const recoveryMs = backOnRedis.atMs - restartedAt;

  const answers = (series: ProbeSeries) =>
    `${series.sent} (${Object.entries(series.decisions)
      .map(([decision, count]) => `${count} ${decision}`)
      .join(', ')})`;
  t.diagnostic(
    `requests at ${RATE_RPS}/s each: rate-limited ${answers(limited)}, control ${answers(control)}; ` +
      `Redis down ${restartedAt - killedAt} ms: first fallback ${firstFallback.atMs - killedAt} ms after the kill, circuit open after ${circuitOpened.atMs - killedAt} ms, ` +
      `${fallbackDown} fallback decisions while down; back on Redis ${recoveryMs} ms after the restart (${keysAfter.length} keys), then ${redisAfter} Redis calls and ${fallbackAfter} fallbacks; ` +
      `Checks slower than ${CHECK_DEADLINE_S * 1000} ms: ${checks - withinDeadline} of ${checks} at the agent, ${deadlineMisses} deadline misses; ` +
      `proxy fail-opens ${proxyFailOpens} of ${stats.requests} (errors ${JSON.stringify(stats.extAuthzError)})`,
  );

  // Every request answered, by Sluice: rate-limited ones allowed or 429, control ones allowed.
  for (const series of [limited, control]) assert.equal(series.failed, 0, `${series.failed} unanswered`);
  assert.equal((limited.statuses['200'] ?? 0) + (limited.statuses['429'] ?? 0), limited.sent);
  assert.equal(control.statuses['200'], control.sent);
  // ≤ 0.1% of Checks slower than their deadline: at the agent (from receipt to answer), and at the
  // proxy beyond what the control requests show of the machine's own stalls at the same instants.
  assert.ok(checks >= limited.sent + control.sent, `the agent answered ${checks} Checks`);
  assert.ok(checks - withinDeadline <= 0.001 * checks, `${checks - withinDeadline} Checks over the deadline`);
  assert.ok(deadlineMisses <= 0.001 * checks, `${deadlineMisses} deadline misses`);
  assert.ok(
    failedOpen(limited) <= 0.001 * limited.sent + failedOpen(control),
    `${failedOpen(limited)} rate-limited requests failed open of ${limited.sent}, control ${failedOpen(control)}`,
  );
  assert.equal(failedOpen(limited) + failedOpen(control), proxyFailOpens);
  // The fallback decided while Redis was down: at least half the requests of the outage (the rest
  // may be refused from the negative cache, which costs no round trip), and Redis saw nothing.
  const offeredDown = (RATE_RPS * (down.atMs - killedAt)) / 1000;
  assert.ok(fallbackDown >= 0.5 * offeredDown, `${fallbackDown} fallbacks for ~${offeredDown} requests`);
  assert.equal(down.redisCallsOk, killed.redisCallsOk, 'Redis calls succeeded while Redis was dead');
  // Redis again, without a restart of anything: calls succeed, the circuit is closed, no more fallbacks.
  assert.ok(recoveryMs <= RECOVERY_BOUND_MS, `back on Redis ${recoveryMs} ms after the restart`);
  assert.ok(redisAfter >= 100, `${redisAfter} Redis calls in the last 3 s`);
  assert.ok(end.redis - backOnRedis.redis >= redisAfter, 'decisions not counted as source="redis"');
  assert.ok(fallbackAfter <= 0.01 * redisAfter, `${fallbackAfter} fallbacks after the recovery`);
  assert.equal(end.circuitOpen, 0);
  assert.equal(topology.agent.pid, agentPid);
  assert.equal(topology.agent.lines.filter((line) => /"level":"error"/.test(line)).length, 0);
});
