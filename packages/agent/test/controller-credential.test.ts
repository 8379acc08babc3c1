/**
 * The agent's AgentSync credential over real gRPC on loopback: a controller stand-in speaking the real
 * sync.proto records the `authorization` metadata of every Connect.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Server, ServerCredentials, status, type ServerDuplexStream } from '@grpc/grpc-js';
import { SYNC_MAX_MESSAGE_BYTES, type AgentMessage, type ControllerMessage } from '@sluice/spec';
import { agentSyncClientConstructor } from '@sluice/spec/protos';
import { ComponentRegistry } from '../src/components/component-registry.js';
import { ControlPointRegistry } from '../src/control-points/control-point-registry.js';
import {
  controllerCallMetadata,
  controllerTokenReader,
} from '../src/controller-link/controller-credential.js';
import { ControllerLink, controllerChannelOptions } from '../src/controller-link/controller-link.js';
import type { AgentLogger } from '../src/logging/agent-logger.js';
import { AgentMetrics } from '../src/metrics/agent-metrics.js';
import { PreviewRegistry } from '../src/preview/preview-registry.js';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import { ManualClock } from '@sluice/clock/manual';

type Stream = ServerDuplexStream<AgentMessage, ControllerMessage>;

test('every Connect re-reads the token file and sends it as authorization: Bearer; a rotated token is used at the next attempt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-controller-token-'));
  const file = join(dir, 'token');
  writeFileSync(file, 'projected-token-one\n');
  const seen: (string | undefined)[] = [];
  const waiters: (() => void)[] = [];
  const server = new Server();
  server.addService(agentSyncClientConstructor().service, {
    // Refuse every stream as the controller does without a valid credential, after noting what came.
    Connect: (stream: Stream) => {
      const values = stream.metadata.get('authorization');
      seen.push(values.length === 0 ? undefined : String(values[0]));
      stream.emit('error', { code: status.UNAUTHENTICATED, details: 'AgentSync refused: test' });
      waiters.splice(0).forEach((wake) => wake());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const connects = async (count: number) => {
    while (seen.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  const errors: string[] = [];
  const logger: AgentLogger = { log: (level, message) => level === 'error' && errors.push(message) };
  const clock = new ManualClock();
  const link = new ControllerLink({
    address: `127.0.0.1:${port}`,
    agentId: 'agent-1',
    agentGroup: 'default',
    capabilities: [],
    clock,
    random: () => 0.999,
    registry: new ComponentRegistry({
      clock,
      agentGroup: 'default',
      localStore: new LocalBucketStore({ clock }),
    }),
    controlPoints: new ControlPointRegistry(clock),
    previews: new PreviewRegistry(clock, []),
    metrics: new AgentMetrics({ processMetrics: false }),
    logger,
    backoff: { initialMs: 100, maxMs: 100 },
    credential: controllerTokenReader(file, logger),
  });
  try {
    link.start();
    await connects(1);
    writeFileSync(file, 'projected-token-two');
    await waitForState(link, 'backoff');
    clock.advance(100);
    await connects(2);
    rmSync(file);
    await waitForState(link, 'backoff');
    clock.advance(100);
    await connects(3);
    assert.deepEqual(seen, ['Bearer projected-token-one', 'Bearer projected-token-two', undefined]);
    assert.deepEqual(errors, ['controller token file cannot be read']);
  } finally {
    link.stop();
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no token means no authorization metadata; the channel sends at most SYNC_MAX_MESSAGE_BYTES', () => {
  assert.deepEqual(controllerCallMetadata(undefined).get('authorization'), []);
  assert.deepEqual(controllerCallMetadata('t').get('authorization'), ['Bearer t']);
  assert.equal(controllerChannelOptions(5000)['grpc.max_send_message_length'], SYNC_MAX_MESSAGE_BYTES);
  assert.equal(SYNC_MAX_MESSAGE_BYTES, 4 * 1024 * 1024);
});

async function waitForState(link: ControllerLink, state: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (link.state !== state) {
    if (Date.now() > deadline) throw new Error(`link never reached ${state} (is ${link.state})`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
