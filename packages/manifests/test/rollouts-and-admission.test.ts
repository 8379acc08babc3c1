/**
 * Issue 16 items 3, 12 and 13: the agent is admitted at its critical priority class outside kube-system,
 * a values change rolls a large cluster within Helm's and Flux's five minutes, and several controller
 * replicas are replaced one at a time and spread across nodes. Every rendering (synthesis, Helm 3, Helm 4)
 * is judged by a reproduction of the Kubernetes behaviour (support/kubernetes-rollouts.ts).
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { AgentValuesSchema } from '@sluice/spec';
import { SluicePlatform, type SluicePlatformProps } from '../src/constructs/platform/sluice-platform.js';
import { HELMS, helmTemplate, type Manifest, synthesise } from './support/helm.js';
import { admitsPod, daemonSetRolloutWaves, type ScopedQuota } from './support/kubernetes-rollouts.js';

const CHART = resolve(import.meta.dirname, '..', '..', '..', 'charts', 'sluice');
const TARGET = { release: 'sluice', namespace: 'sluice-system' } as const;
const GKE_LIMITED = ['system-node-critical', 'system-cluster-critical'];

async function renderings(values: SluicePlatformProps): Promise<[string, Manifest[]][]> {
  const all: [string, Manifest[]][] = [
    ['synthesis', synthesise((scope) => new SluicePlatform(scope, 'sluice', { ...TARGET, ...values }))],
  ];
  for (const helm of HELMS)
    all.push([`helm ${helm.major}`, await helmTemplate(helm, CHART, { ...TARGET, values })]);
  return all;
}

type Spec = Record<string, any>;
const spec = (manifest: Manifest | undefined): Spec => (manifest as unknown as { spec: Spec }).spec;
const ofKind = (manifests: readonly Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);

function quotas(manifests: readonly Manifest[]): ScopedQuota[] {
  return ofKind(manifests, 'ResourceQuota').map((quota) => ({
    namespace: quota.metadata.namespace ?? '',
    matchExpressions: spec(quota).scopeSelector?.matchExpressions ?? [],
  }));
}

function agentPod(manifests: readonly Manifest[]) {
  const daemonSet = ofKind(manifests, 'DaemonSet')[0];
  return {
    namespace: daemonSet?.metadata.namespace ?? '',
    priorityClassName: spec(daemonSet).template.spec.priorityClassName as string | undefined,
  };
}

describe('agent priority class on GKE (item 3)', () => {
  it('default system-node-critical: admitted through the class-scoped quota shipped beside it, refused without it', async () => {
    for (const [renderer, manifests] of await renderings({})) {
      const pod = agentPod(manifests);
      assert.equal(pod.priorityClassName, 'system-node-critical', renderer);
      assert.equal(quotas(manifests).length, 1, renderer);
      assert.equal(admitsPod(pod, quotas(manifests), GKE_LIMITED), true, renderer);
      // What the chart rendered before: the same pod, no quota.
      assert.equal(admitsPod(pod, [], GKE_LIMITED), false, renderer);
    }
  });

  it('no class, or a class of the cluster owner: no quota rendered, and the pod is admitted', async () => {
    for (const priorityClassName of ['', 'sluice-high']) {
      for (const [renderer, manifests] of await renderings({ agent: { priorityClassName } })) {
        assert.equal(quotas(manifests).length, 0, `${renderer} ${priorityClassName}`);
        assert.equal(
          admitsPod(agentPod(manifests), [], GKE_LIMITED),
          true,
          `${renderer} ${priorityClassName}`,
        );
      }
    }
  });

  it('system-cluster-critical gets its own quota', async () => {
    for (const [renderer, manifests] of await renderings({
      agent: { priorityClassName: 'system-cluster-critical' },
    })) {
      assert.deepEqual(
        quotas(manifests).map((q) => q.matchExpressions[0]?.values),
        [['system-cluster-critical']],
        renderer,
      );
      assert.equal(admitsPod(agentPod(manifests), quotas(manifests), GKE_LIMITED), true, renderer);
    }
  });
});

describe('agent rollout across many nodes (item 12)', () => {
  // Helm's --wait and Flux's HelmRelease/Kustomization default timeout: five minutes.
  const TIMEOUT_SECONDS = 300;
  const POD_READY_SECONDS = 20;

  it('renders maxSurge 10% with maxUnavailable 0 on every renderer', async () => {
    for (const [renderer, manifests] of await renderings({})) {
      assert.deepEqual(
        spec(ofKind(manifests, 'DaemonSet')[0]).updateStrategy,
        { type: 'RollingUpdate', rollingUpdate: { maxSurge: '10%', maxUnavailable: 0 } },
        renderer,
      );
    }
  });

  it('300 nodes roll in 10 waves (200 s) inside five minutes; one node at a time took 300 waves', () => {
    assert.equal(daemonSetRolloutWaves(300, '10%'), 10);
    assert.ok(daemonSetRolloutWaves(300, '10%') * POD_READY_SECONDS < TIMEOUT_SECONDS);
    assert.equal(daemonSetRolloutWaves(300, 1), 300);
    assert.ok(daemonSetRolloutWaves(300, 1) * POD_READY_SECONDS > TIMEOUT_SECONDS * 10);
    // Small clusters still roll: the percentage rounds up to at least one node.
    assert.equal(daemonSetRolloutWaves(3, '10%'), 3);
  });

  it('refuses a surge that is not a percentage from 1% to 100%', () => {
    for (const bad of ['0%', '101%', '1', 'ten%']) {
      const result = AgentValuesSchema.safeParse({ maxSurge: bad });
      assert.equal(result.success, false, bad);
      assert.match(String(result.error?.issues[0]?.message), /percentage from 1% to 100%/);
    }
  });
});

describe('controller replicas (item 13)', () => {
  it('one replica recreates; several roll one pod at a time, spread by hostname', async () => {
    for (const [renderer, manifests] of await renderings({})) {
      const deployment = spec(ofKind(manifests, 'Deployment')[0]);
      assert.deepEqual(deployment.strategy, { type: 'Recreate' }, renderer);
      assert.equal(deployment.template.spec.topologySpreadConstraints, undefined, renderer);
    }
    for (const [renderer, manifests] of await renderings({ controller: { replicas: 3 } })) {
      const deployment = spec(ofKind(manifests, 'Deployment')[0]);
      const { maxSurge, maxUnavailable } = deployment.strategy.rollingUpdate;
      assert.equal(deployment.strategy.type, 'RollingUpdate', renderer);
      // At most one replica down at a time: two standbys remain to take the Lease.
      assert.equal(3 - maxUnavailable, 2, renderer);
      assert.equal(maxSurge, 0, renderer);
      assert.deepEqual(
        deployment.template.spec.topologySpreadConstraints.map((c: Spec) => [c.topologyKey, c.maxSkew]),
        [['kubernetes.io/hostname', 1]],
        renderer,
      );
      assert.deepEqual(
        deployment.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels,
        deployment.selector.matchLabels,
        renderer,
      );
    }
  });
});
