/**
 * Attack: control points reported by authenticated agents (issue 15, attack 5). 200 reports of 3,000
 * control points took the controller to 1.1 GB, still held after expiry, which ran only when
 * /v1/control-points was read. A real controller process; 20 fake agents, authenticated with the shared
 * agent token, send 10 reports each of 3,000 distinct 256-character control points.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@sluice/testkit';
import { metricSum } from '../reliability/support/metrics.js';
import { ControllerProcess, writeSecretFile } from './support/controller-process.js';
import { FakeAgent } from './support/fake-agent.js';
import { peakResidentMiB, residentMiB } from './support/memory.js';

const AGENT_TOKEN = 'directory-memory-agent-token-0123';
const AGENTS = 20;
const REPORTS_PER_AGENT = 10;
const POINTS_PER_REPORT = 3000;
/** Kept per agent (the controller's default cap). */
const CAP_PER_AGENT = 1000;
/** The controller's peak RSS bound, MiB; the same reports without the caps held about 1.1 GB. */
const CONTROLLER_PEAK_MIB = 250;

describe('the agent directory under 200 reports of 3,000 control points', { timeout: 90_000 }, () => {
  let controller: ControllerProcess;
  const agents: FakeAgent[] = [];

  before(async () => {
    controller = await ControllerProcess.start({
      args: (dir) => [
        '--agent-token-file',
        writeSecretFile(dir, 'agent-token', AGENT_TOKEN),
        '--control-point-expiry',
        '3s',
      ],
    });
  });

  after(async () => {
    for (const agent of agents) agent.close();
    await controller?.stop();
  });

  it('keeps at most 1,000 per agent (the rest counted), stays under its RSS bound, and empties on its own timer', async () => {
    const pid = controller.process.pid as number;
    const idle = residentMiB(pid);
    const started = Date.now();
    // What the directory holds, as its sweep exports it, all along (entries may expire while reports arrive).
    let mostHeld = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        mostHeld = Math.max(
          mostHeld,
          metricSum(await controller.metrics(), 'sluice_controller_control_points'),
        );
        await new Promise((resolve) => setTimeout(resolve, 100)); // a sampling period, not synchronisation
      }
    })();
    await Promise.all(
      Array.from({ length: AGENTS }, async (_, agentIndex) => {
        const agent = new FakeAgent(controller.ports.grpc, AGENT_TOKEN);
        agents.push(agent);
        agent.hello(`fake-${agentIndex}`, []);
        await agent.next((message) => message.payload === 'components');
        for (let report = 0; report < REPORTS_PER_AGENT; report++)
          await agent.report({
            agent_time_ms: Date.now(),
            interval_ms: 1000,
            control_points: Array.from({ length: POINTS_PER_REPORT }, (_, point) => ({
              service: 'any',
              // Distinct in every report, so nothing is merely refreshed.
              control_point: `${agentIndex}-${report}-${point}-`.padEnd(256, 'x'),
              type: 'CONTROL_POINT_TYPE_HTTP' as const,
            })),
          });
      }),
    );
    const total = AGENTS * REPORTS_PER_AGENT;
    await waitFor(
      async () =>
        metricSum(await controller.metrics(), 'sluice_controller_agent_reports_total') === total || undefined,
      { timeoutMs: 30_000, what: `${total} reports received` },
    );
    const receivedMs = Date.now() - started;
    const metrics = await controller.metrics();
    const peak = peakResidentMiB(pid);
    const dropped = metricSum(
      metrics,
      'sluice_controller_control_points_dropped_total',
      'reason="agent-cap"',
    );
    // Each report offers 3× the cap: most are refused, however many expired (3 s) while reports arrived.
    assert.ok(dropped >= (total * POINTS_PER_REPORT) / 2, `${dropped} dropped`);
    assert.ok(peak < CONTROLLER_PEAK_MIB, `controller peak RSS ${peak.toFixed(0)} MiB`);
    // Nothing reads /v1/control-points from here on: the sweep alone must empty the directory.
    const emptied = Date.now();
    await waitFor(
      async () =>
        metricSum(await controller.metrics(), 'sluice_controller_control_points') === 0 || undefined,
      { timeoutMs: 15_000, what: 'the directory swept empty' },
    );
    sampling = false;
    await sampler;
    assert.ok(mostHeld > 0 && mostHeld <= AGENTS * CAP_PER_AGENT, `${mostHeld} control points held at most`);
    console.log(
      `directory: ${total} reports of ${POINTS_PER_REPORT} in ${receivedMs} ms; held at most ${mostHeld}, dropped ${dropped}; controller RSS idle ${idle.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, ${residentMiB(pid).toFixed(0)} MiB once swept (${Date.now() - emptied} ms after the last report)`,
    );
  });
});
