// Scratch (not committed): in-process cost of one Check with a policy (load scheduler + flux meter),
// the decision record included, for the tree at ROOT (the base commit's src or this branch's).
import { checkRequest } from '../test/support/agent-harness.js';
import { fluxMeterConfig, loadSchedulerConfig } from '../test/support/compiled-components.js';

const root = process.argv[2] ?? '../src';
const { CheckHandler } = await import(`${root}/check/check-handler.js`);
const { parseCheckRequest } = await import(`${root}/check/check-request.js`);
const { ComponentRegistry } = await import(`${root}/components/component-registry.js`);
const { ControlPointRegistry } = await import(`${root}/control-points/control-point-registry.js`);
const { AgentMetrics } = await import(`${root}/metrics/agent-metrics.js`);
const { PreviewRegistry } = await import(`${root}/preview/preview-registry.js`);
const { LocalBucketStore } = await import(`${root}/token-bucket/bucket-store-local.js`);
const { systemClock: clock } = await import(`${root}/clock/system-clock.js`);

const registry = new ComponentRegistry({ clock, agentGroup: 'default', localStore: new LocalBucketStore({ clock }) });
registry.replaceAll([{ policyName: 'policy', policyHash: 'hash-1', components: [loadSchedulerConfig(), fluxMeterConfig()] }]);
const handler = new CheckHandler({
  clock, wallClockMs: () => Date.now(), agentGroup: 'default', registry,
  controlPoints: new ControlPointRegistry(clock), previews: new PreviewRegistry(clock, []),
  metrics: new AgentMetrics({ processMetrics: false }), lagMs: () => 0,
});
const parsed = parseCheckRequest(checkRequest({ path: '/orders/123', headers: { 'user-type': 'guest' } }));
const N = Number(process.argv[3] ?? 20000);
const rounds = Number(process.argv[4] ?? 15);
const results: number[] = [];
for (let r = 0; r < rounds; r++) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) void handler.handle(parsed, 'ingress', undefined, '10.1.2.3');
  await new Promise((res) => setImmediate(res));
  results.push(Number(process.hrtime.bigint() - t) / N / 1000);
}
results.sort((a, b) => a - b);
console.log(JSON.stringify({ root, median: results[Math.floor(rounds / 2)], min: results[0] }));
