// Attack 6 of issue 15: baggage overrides request labels and token cost. Before, with a 5/min
// per-user limit on http.path=/expensive: `baggage: cost=0` (or 0.0000001) admitted 50 of 50, and
// `baggage: http.path=/cheap` admitted 50 of 50 while the path was still /expensive.
//
// Real controller, agent, proxy and upstream on loopback; the requests go through the proxy, which
// sends the agent what Envoy's ext_authz filter sends (headers, baggage included).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL_POINT, metricValue, Topology } from '@sluice/e2e-kit';

const LIMIT = 5;
const REQUESTS = 50;
const selectors = [
  {
    controlPoint: CONTROL_POINT,
    service: 'any',
    labelMatcher: { matchLabels: { 'http.path': '/expensive' } },
  },
];

let topology: Topology;

before(async () => {
  topology = await Topology.start({
    policies: {
      'expensive-per-user': {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'FlowPolicy',
        metadata: { name: 'expensive-per-user' },
        spec: {
          classifiers: [
            { selectors: [{ controlPoint: CONTROL_POINT }], rules: { 'user-id': { header: 'user-id' } } },
          ],
          rateLimiters: [
            {
              name: 'per-user',
              selectors,
              bucketCapacity: LIMIT,
              fillAmount: LIMIT,
              interval: '60s',
              continuousFill: false,
              limitByLabelKey: 'user-id',
              tokensLabelKey: 'cost',
            },
          ],
        },
      },
    },
    upstream: { concurrency: 20, latencyMs: 2 },
  });
});

after(async () => {
  await topology?.stop();
});

/** Sends REQUESTS requests for /expensive as `user` with these extra headers; returns how many got 200. */
async function admitted(user: string, headers: Record<string, string>): Promise<number> {
  let ok = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const response = await fetch(`${topology.proxyUrl}/expensive`, {
      headers: { 'user-id': user, ...headers },
      signal: AbortSignal.timeout(5_000),
    });
    await response.arrayBuffer();
    if (response.status === 200) ok++;
    else assert.equal(response.status, 429);
  }
  return ok;
}

test('a 5/min per-user limit on /expensive: baggage cost=0, cost=0.0000001 and http.path=/cheap admit no more than 5', async () => {
  const results = {
    plain: await admitted('dave', {}),
    costZero: await admitted('alice', { baggage: 'cost=0' }),
    costTiny: await admitted('bob', { baggage: 'cost=0.0000001' }),
    cheapPath: await admitted('carol', { baggage: 'http.path=/cheap' }),
    both: await admitted('erin', { baggage: 'http.path=/cheap,cost=0' }),
  };
  const metrics = await topology.agentMetrics();
  console.log(`admitted of ${REQUESTS} each: ${JSON.stringify(results)}`);
  assert.deepEqual(results, {
    plain: LIMIT,
    costZero: LIMIT,
    costTiny: LIMIT,
    cheapPath: LIMIT,
    both: LIMIT,
  });
  assert.equal(
    metricValue(metrics, 'sluice_agent_baggage_members_refused_total', 'reason="tokens"'),
    3 * REQUESTS,
  );
  assert.equal(
    metricValue(metrics, 'sluice_agent_baggage_members_refused_total', 'reason="reserved"'),
    2 * REQUESTS,
  );
});
