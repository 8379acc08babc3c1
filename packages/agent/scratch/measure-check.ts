// Scratch: per-Check cost in process (not committed).
import { CheckHandler } from '../src/check/check-handler.js';
import { parseCheckRequest } from '../src/check/check-request.js';
import { ComponentRegistry } from '../src/components/component-registry.js';
import { ControlPointRegistry } from '../src/control-points/control-point-registry.js';
import { AgentMetrics } from '../src/metrics/agent-metrics.js';
import { PreviewRegistry } from '../src/preview/preview-registry.js';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import { systemClock } from '../src/clock/system-clock.js';
import { checkRequest } from '../test/support/agent-harness.js';
import { fluxMeterConfig, loadSchedulerConfig } from '../test/support/compiled-components.js';

const clock = systemClock;
const registry = new ComponentRegistry({ clock, agentGroup: 'default', localStore: new LocalBucketStore({ clock }) });
registry.replaceAll([{ policyName: 'policy', policyHash: 'hash-1', components: [loadSchedulerConfig(), fluxMeterConfig()] }]);
const handler = new CheckHandler({
  clock, wallClockMs: () => Date.now(), agentGroup: 'default', registry,
  controlPoints: new ControlPointRegistry(clock), previews: new PreviewRegistry(clock, []),
  metrics: new AgentMetrics({ processMetrics: false }), lagMs: () => 0,
});
const parsed = parseCheckRequest(checkRequest({ path: '/orders/123', headers: { 'user-type': 'guest' } }));
const args = process.argv.slice(2);
const N = 20000;
const rounds: number[] = [];
for (let r = 0; r < 12; r++) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) { const p = (handler.handle as any)(parsed, 'ingress', undefined, '10.1.2.3'); }
  await new Promise((res) => setImmediate(res));
  rounds.push(Number(process.hrtime.bigint() - t) / N / 1000);
}
rounds.sort((a, b) => a - b);
console.log(`per-Check µs: median ${rounds[6]!.toFixed(2)} min ${rounds[0]!.toFixed(2)} rounds ${rounds.map((r) => r.toFixed(1)).join(' ')}`);
