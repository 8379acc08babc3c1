/**
 * Invalid FlowPolicy custom resources against a running controller: the real Kubernetes source
 * and @kubernetes/client-node over HTTP to the fake API server (FakeKubeApiServer from @sluice/testkit),
 * and an agent on the real sync.proto over gRPC. Each invalid generation must get Ready=False with
 * its path-precise message through the status subresource, while the last good compile keeps
 * running: the agent is sent nothing new, and its next push still carries the old hash.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControllerMessage } from '@sluice/spec';
import { Controller } from '../src/controller.js';
import { KubernetesPolicySource } from '../src/sources/kubernetes-policy-source.js';
import { TestAgent } from './support/agent-client.js';
import { FakeKubeApiServer } from '@sluice/testkit';
import { basicServiceProtection } from './support/fixture-policy.js';
import { INVALID_EDITS } from './support/invalid-policies.js';
import { ManualClock } from '@sluice/clock/manual';

const NS = 'sluice-system';
const NAME = 'basic-service-protection';

type Resource = { metadata: { name: string }; spec: unknown };

const componentsOf = (message: ControllerMessage) =>
  message.payload === 'components'
    ? (message.components.policies ?? []).map((policy) => [policy.policy_name, policy.policy_hash])
    : [];

function statusWritten(source: KubernetesPolicySource, name: string): Promise<any> {
  return new Promise((resolve) => {
    const listener = (written: string, status: unknown) => {
      if (written !== name) return;
      source.events.off('status-written', listener);
      resolve(status);
    };
    source.events.on('status-written', listener);
  });
}

describe('invalid FlowPolicy resources: Ready=False with the message, the last good version keeps running', () => {
  const fake = new FakeKubeApiServer(NS);
  const controller = new Controller({ clock: new ManualClock(), log: () => undefined });
  let source: KubernetesPolicySource;
  let agent: TestAgent;
  let goodHash: string;

  before(async () => {
    await fake.start();
    fake.apply(basicServiceProtection() as Resource);
    source = new KubernetesPolicySource({
      kubeConfig: fake.kubeConfig(),
      namespace: NS,
      retryDelayMs: 10,
      maxRetryDelayMs: 40,
      log: () => undefined,
      warn: () => undefined,
    });
    const ports = await controller.start({ grpcPort: 0, httpPort: 0, apiPort: 0, host: '127.0.0.1' });
    const written = statusWritten(source, NAME);
    await source.start(controller.registry);
    assert.equal((await written).conditions[0].status, 'True');
    agent = new TestAgent(ports.grpcPort);
    agent.hello({
      agent_id: 'a',
      hostname: 'node-1',
      agent_group: 'default',
      version: '0',
      capabilities: [],
    });
    const [[name, hash] = []] = componentsOf(await agent.next((message) => message.payload === 'components'));
    assert.equal(name, NAME);
    goodHash = hash ?? '';
    assert.match(goodHash, /^[0-9a-f]{32}$/);
  });

  after(async () => {
    agent.close();
    await source.stop();
    await controller.stop();
    await fake.stop();
  });

  INVALID_EDITS.forEach((invalid, index) => {
    const generation = index + 2;
    it(`generation ${generation}, ${invalid.name}: Ready=False naming ${invalid.path}`, async () => {
      const document = basicServiceProtection();
      invalid.mutate(document);
      const written = statusWritten(source, NAME);
      fake.apply(document as Resource);
      const status = await written;
      assert.equal(status.observedGeneration, generation);
      assert.deepEqual(
        status.conditions.map((condition: any) => [condition.type, condition.status, condition.reason]),
        [['Ready', 'False', 'Invalid']],
      );
      assert.equal(
        status.conditions[0].message,
        `${invalid.message}\nthe last valid version (hash ${goodHash}) keeps running`,
      );
      assert.equal(status.policyHash, null);
      assert.equal(status.runningPolicyHash, goodHash);
      // What the API server stores is what the controller wrote.
      assert.deepEqual((fake.get(NAME)?.status as any).conditions, status.conditions);
      assert.equal(controller.registry.get(`${NS}/${NAME}`)?.issues[0]?.path, invalid.path);
      assert.deepEqual(
        controller.registry.running().map((policy) => policy.policyHash),
        [goodHash],
      );
    });
  });

  it(`after ${INVALID_EDITS.length} invalid generations the agent was sent nothing new, and the next push carries the old hash`, async () => {
    const second = basicServiceProtection();
    second.metadata.name = 'second-policy';
    const pushed = agent.upcoming((message) => message.payload === 'components');
    fake.apply(second as Resource);
    const components = componentsOf(await pushed);
    assert.deepEqual(components[0], [NAME, goodHash]);
    assert.equal(components[1]?.[0], 'second-policy');
    assert.equal(agent.received.filter((received) => received.payload === 'components').length, 2);
  });

  it('a fixed generation becomes Ready=True and replaces the old version on the agent', async () => {
    const fixed = basicServiceProtection();
    fixed.spec.loadSchedulers[0].workloads[0].priority = 60;
    const pushed = agent.upcoming((message) => message.payload === 'components');
    const written = statusWritten(source, NAME);
    fake.apply(fixed as Resource);
    const status = await written;
    const [first] = componentsOf(await pushed);
    assert.equal(status.conditions[0].status, 'True');
    assert.equal(status.observedGeneration, INVALID_EDITS.length + 2);
    assert.equal(status.runningPolicyHash, first?.[1]);
    assert.notEqual(first?.[1], goodHash);
  });
});
