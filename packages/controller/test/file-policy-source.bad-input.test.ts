/**
 * Invalid policy files against a running controller: real files (replaced by rename, as editors
 * and ConfigMap volumes do), real fs.watch, the real HTTP API and an agent on the real sync.proto
 * over gRPC. Each invalid version must show as Invalid on GET /v1/policies with its path-precise
 * message, while the last good compile keeps running: agents are sent nothing new, and the next
 * push they get still carries the old hash.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ControllerMessage } from '@sluice/spec';
import { stringify } from 'yaml';
import { Controller } from '../src/controller.js';
import { FilePolicySource } from '../src/sources/file-policy-source.js';
import { TestAgent } from './support/agent-client.js';
import { basicServiceProtection } from './support/fixture-policy.js';
import {
  INVALID_EDITS,
  INVALID_NAME_EDITS,
  INVALID_TEXTS,
  type InvalidEdit,
  type InvalidText,
} from './support/invalid-policies.js';
import { ManualClock } from '@sluice/clock/manual';
import { nextChange } from './support/registry-events.js';

const TOKEN = 'bad-input-token-0123456789';

type Case = (InvalidEdit | InvalidText) & { readonly content: string | Buffer };

const CASES: readonly Case[] = [
  ...INVALID_TEXTS.map((invalid) => ({ ...invalid, content: invalid.text })),
  ...[...INVALID_EDITS, ...INVALID_NAME_EDITS].map((invalid) => {
    const document = basicServiceProtection();
    invalid.mutate(document);
    return { ...invalid, content: stringify(document) };
  }),
];

const componentsOf = (message: ControllerMessage) =>
  message.payload === 'components'
    ? (message.components.policies ?? []).map((policy) => [policy.policy_name, policy.policy_hash])
    : [];

describe('invalid policy files: Invalid on /v1/policies, the last good version keeps running', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bad-policies-'));
  const path = join(dir, 'protection.yaml');
  const controller = new Controller({ clock: new ManualClock(), apiToken: TOKEN, log: () => undefined });
  const source = new FilePolicySource({ dir, registry: controller.registry, log: () => undefined });
  let base: string;
  let probes: string;
  let agent: TestAgent;
  let goodHash: string;

  /** Replaces a file atomically, so the watcher never reads it half written. */
  function replace(file: string, content: string | Buffer): void {
    const staging = join(dir, `.staging-${Date.now()}`);
    writeFileSync(staging, content);
    renameSync(staging, file);
  }

  async function policies(): Promise<any[]> {
    const response = await fetch(`${base}/v1/policies`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    return ((await response.json()) as { policies: any[] }).policies;
  }

  before(async () => {
    replace(path, stringify(basicServiceProtection()));
    source.start();
    const ports = await controller.start({ grpcPort: 0, httpPort: 0, apiPort: 0, host: '127.0.0.1' });
    controller.markReady();
    base = `http://127.0.0.1:${ports.apiPort}`;
    probes = `http://127.0.0.1:${ports.httpPort}`;
    agent = new TestAgent(ports.grpcPort);
    agent.hello({
      agent_id: 'a',
      hostname: 'node-1',
      agent_group: 'default',
      version: '0',
      capabilities: [],
    });
    const [[name, hash] = []] = componentsOf(await agent.next((message) => message.payload === 'components'));
    assert.equal(name, 'basic-service-protection');
    goodHash = hash ?? '';
    assert.match(goodHash, /^[0-9a-f]{32}$/);
  });

  after(async () => {
    agent.close();
    source.stop();
    await controller.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const invalid of CASES) {
    it(`${invalid.name}: Invalid with its path on /v1/policies, the last good version still running`, async () => {
      // Every case differs from the one before, so each rename brings exactly one change.
      const changed = nextChange(controller.registry, (change) => change.entry.sourceKey === path);
      replace(path, invalid.content);
      const { kind, entry } = await changed;
      assert.equal(kind, 'invalid');
      assert.equal(entry.message.split('\n')[0], invalid.message);
      const [listed, ...others] = await policies();
      assert.equal(others.length, 0);
      assert.equal(listed.source, path);
      assert.equal(listed.status, 'Invalid');
      assert.equal(
        listed.message,
        `${invalid.message}\nthe last valid version (hash ${goodHash}) keeps running`,
      );
      assert.equal(listed.issues[0].path, invalid.path);
      assert.equal(listed.hash, null);
      assert.equal(listed.runningHash, goodHash);
      assert.deepEqual(
        controller.registry.running().map((policy) => policy.policyHash),
        [goodHash],
      );
    });
  }

  it(`after ${CASES.length} invalid versions the agent was sent nothing new, and the next push carries the old hash`, async () => {
    const second = basicServiceProtection();
    second.metadata.name = 'second-policy';
    const pushed = agent.upcoming((message) => message.payload === 'components');
    replace(join(dir, 'second.yaml'), stringify(second));
    const message = await pushed;
    const components = componentsOf(message);
    assert.equal(components.length, 2);
    assert.deepEqual(components[0], ['basic-service-protection', goodHash]);
    assert.equal(components[1]?.[0], 'second-policy');
    // The first message at connect, and this one: no invalid version caused a push.
    assert.equal(agent.received.filter((received) => received.payload === 'components').length, 2);
    const metrics = await (await fetch(`${probes}/metrics`)).text();
    assert.match(metrics, new RegExp(`^sluice_controller_policy_invalid_total ${CASES.length}$`, 'm'));
  });

  it('a fixed file replaces the old version everywhere', async () => {
    const fixed = basicServiceProtection();
    fixed.spec.loadSchedulers[0].workloads[0].priority = 60;
    const pushed = agent.upcoming((message) => message.payload === 'components');
    replace(path, stringify(fixed));
    const [first] = componentsOf(await pushed);
    assert.equal(first?.[0], 'basic-service-protection');
    assert.notEqual(first?.[1], goodHash);
    const listed = (await policies()).find((policy) => policy.source === path);
    assert.deepEqual([listed.status, listed.message, listed.hash], ['Valid', '', first?.[1]]);
  });
});
