// Attack 2 of issue 15: client-chosen control points grow /metrics and memory without bound.
// Before: 400 Checks with distinct 1 MB control points took the agent to 2.36 GB RSS and a 381 MiB
// /metrics; 20,000 distinct short ones left 20,000 permanent checks_total series.
//
// A real agent process on loopback (no controller: it admits everything, so every valid Check is
// answered and counted). Peak RSS is the kernel's high-water mark (VmHWM), read after the attack.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { authorizationService } from '@sluice/spec/protos';
import { freePort, RunningProcess } from '@sluice/testkit';
import { bin } from '@sluice/e2e-kit';
import { metricSum } from '../reliability/support/metrics.js';
import { AgentGrpcClient } from '../reliability/support/agent-grpc.js';
import { peakResidentBytes } from './support/process-memory.js';
import { inParallel } from './support/in-parallel.js';

const MiB = 1024 * 1024;
let agent: RunningProcess;
let httpPort = 0;
let client: AgentGrpcClient;

/** A CheckRequest whose control point is the context extension (Envoy's per-route form), encoded. */
function checkWithContextControlPoint(controlPoint: string): Buffer {
  return authorizationService().service['Check']?.requestSerialize({
    attributes: {
      request: { http: { method: 'GET', path: '/', host: 'shop', headers: { ':method': 'GET' } } },
      context_extensions: { 'control-point': controlPoint },
    },
  }) as Buffer;
}

async function metrics(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`, {
    signal: AbortSignal.timeout(10_000),
  });
  return response.text();
}

before(async () => {
  const grpcPort = await freePort();
  httpPort = await freePort();
  agent = await RunningProcess.start({
    name: 'agent',
    args: [
      bin('agent'),
      '--grpc-port',
      String(grpcPort),
      '--http-port',
      String(httpPort),
      '--bind-address',
      '127.0.0.1',
    ],
    readyLine: /"listening"/,
  });
  // The control point travels in the message; the metadata one would win, so none is set.
  client = new AgentGrpcClient(`127.0.0.1:${grpcPort}`, undefined);
});

after(async () => {
  client?.close();
  await agent?.stop();
});

test('400 Checks with distinct 1 MB and 100 KB control points: all refused, peak RSS < 300 MiB, /metrics < 1 MiB', async () => {
  const codes = new Map<number, number>();
  await inParallel(400, 8, async (i) => {
    // Half past the receive limit (refused by gRPC), half under it (refused by the control-point rule).
    const size = i % 2 === 0 ? MiB : 100 * 1024;
    const controlPoint = `cp-${i}-`.padEnd(size, String.fromCharCode(97 + (i % 26)));
    try {
      await client.check(checkWithContextControlPoint(controlPoint), 10_000);
      codes.set(0, (codes.get(0) ?? 0) + 1);
    } catch (error) {
      const code = (error as ServiceError).code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  });
  const text = await metrics();
  const peak = peakResidentBytes(agent.pid as number);
  console.log(
    `1 MB control points: answers ${JSON.stringify(Object.fromEntries(codes))}, peak RSS ${(peak / MiB).toFixed(0)} MiB, /metrics ${(text.length / 1024).toFixed(0)} KiB`,
  );
  assert.equal(codes.get(status.RESOURCE_EXHAUSTED), 200, 'the 1 MB ones are past the receive limit');
  assert.equal(codes.get(status.INVALID_ARGUMENT), 200, 'the 100 KB ones break the control-point rule');
  assert.equal(metricSum(text, 'sluice_agent_check_errors_total', 'reason="invalid-control-point"'), 200);
  assert.ok(peak < 300 * MiB, `peak RSS ${peak} bytes`);
  assert.ok(text.length < MiB, `/metrics ${text.length} bytes`);
  assert.equal(metricSum(text, 'sluice_agent_checks_total'), 0, 'no refused control point became a series');
});

// 60 KiB: Envoy's whole header limit; gRPC's HTTP/2 layer refuses much larger header values itself.
test('200 Checks with distinct 60 KiB control points in gRPC metadata: refused, never a label', async () => {
  const codes = new Map<number, number>();
  const plain = checkWithContextControlPoint('ingress');
  await inParallel(200, 8, async (i) => {
    try {
      await client.check(plain, 10_000, `cp-${i}-`.padEnd(60 * 1024, 'm'));
      codes.set(0, (codes.get(0) ?? 0) + 1);
    } catch (error) {
      const code = (error as ServiceError).code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  });
  const text = await metrics();
  console.log(`60 KiB metadata control points: answers ${JSON.stringify(Object.fromEntries(codes))}`);
  assert.equal(codes.get(status.INVALID_ARGUMENT), 200);
  assert.equal(metricSum(text, 'sluice_agent_check_errors_total', 'reason="invalid-control-point"'), 400);
  assert.equal(metricSum(text, 'sluice_agent_checks_total'), 0);
  assert.ok(peakResidentBytes(agent.pid as number) < 300 * MiB);
});

test('20,000 distinct short control points: checks_total holds 2,000 series, the overflow counter counts the other 18,000', async () => {
  await inParallel(20_000, 64, async (i) => {
    await client.check(checkWithContextControlPoint(`cp-${String(i).padStart(5, '0')}`), 10_000);
  });
  const text = await metrics();
  const series = text.split('\n').filter((line) => line.startsWith('sluice_agent_checks_total{')).length;
  const overflow = metricSum(
    text,
    'sluice_agent_metric_series_overflow_total',
    'metric="sluice_agent_checks_total"',
  );
  const listed = (
    (await (await fetch(`http://127.0.0.1:${httpPort}/v1/control-points`)).json()) as {
      controlPoints: unknown[];
    }
  ).controlPoints.length;
  const dropped = metricSum(text, 'sluice_agent_control_points_dropped_total');
  const peak = peakResidentBytes(agent.pid as number);
  console.log(
    `20,000 control points: ${series} series, overflow ${overflow}, listed ${listed}, dropped ${dropped}, /metrics ${(text.length / 1024).toFixed(0)} KiB, peak RSS ${(peak / MiB).toFixed(0)} MiB`,
  );
  assert.equal(series, 2000);
  assert.equal(metricSum(text, 'sluice_agent_checks_total') + overflow, 20_000, 'every Check counted once');
  assert.equal(overflow, 18_000);
  assert.equal(listed, 1000, 'the control-point registry holds 1,000');
  assert.equal(dropped, 19_000);
  assert.ok(text.length < MiB, `/metrics ${text.length} bytes`);
  assert.ok(peak < 300 * MiB, `peak RSS ${peak} bytes`);
});
