import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPodSecurity, podTemplateOf, WORKLOAD_KINDS } from './support/pod-security-standards.js';
import type { Manifest } from './support/helm.js';
import { RENDER_CASES, renderEverything } from './support/rendered-installs.js';

/**
 * Every pod Sluice renders meets the restricted Pod Security Standard: each workload (and its init
 * containers, were there any) from cdk8s synthesis and from `helm template` of every committed chart, for
 * defaults and for the values that add pods or containers, plus the agent as a sidecar container in a bare
 * pod, where it has no pod-level settings to inherit.
 *
 * Tenant gateways render no pods: the chart makes Istio Gateways (or Gateway API Gateways), Certificates,
 * routes and a ClusterIssuer. The gateway pods are Istio's, from the istio/gateway chart a tenant's
 * `gatewaySelector` points at or from Istio's own gateway template for a Gateway API Gateway, so their
 * security context is set there, not here. The test asserts that no pod hides in that output.
 */

const renderings = await renderEverything();

interface Workload {
  readonly where: string;
  readonly manifest: Manifest;
}

const workloads: Workload[] = renderings.flatMap((rendering) =>
  rendering.manifests
    .filter((manifest) => podTemplateOf(manifest) !== undefined)
    .map((manifest) => ({
      where: `${rendering.label} ${manifest.kind}/${manifest.metadata.name}`,
      manifest,
    })),
);

/** Paths of every `containers` or `initContainers` list anywhere in an object. */
function containerLists(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => containerLists(item, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(['containers', 'initContainers'].includes(key) && Array.isArray(child) ? [`${path}.${key}`] : []),
    ...containerLists(child, `${path}.${key}`),
  ]);
}

describe('every rendered pod meets the restricted Pod Security Standard', () => {
  it(`renders ${RENDER_CASES.length} cases by synthesis, Helm 3 and Helm 4, plus 3 standalone constructs`, () => {
    assert.equal(renderings.length, RENDER_CASES.length * 3 + 3);
  });

  it('finds the 21 workloads Sluice makes: agent DaemonSets, controller Deployments and the sidecar pod', () => {
    const count = (kind: string) => workloads.filter((w) => w.manifest.kind === kind).length;
    // sluice chart, 3 renderers: defaults (2), everything on (2), agent only (1), controller only (1).
    assert.equal(count('DaemonSet'), 3 * 3 + 1);
    assert.equal(count('Deployment'), 3 * 3 + 1);
    assert.equal(count('Pod'), 1);
    assert.equal(workloads.length, 21);
  });

  it('no other object carries containers: a new pod-making kind would be checked or fail here', () => {
    for (const rendering of renderings) {
      for (const manifest of rendering.manifests) {
        if (WORKLOAD_KINDS.includes(manifest.kind)) continue;
        assert.deepEqual(
          containerLists(manifest),
          [],
          `${rendering.label} ${manifest.kind}/${manifest.metadata.name}`,
        );
      }
    }
  });

  it('istioconfig and tenant-gateways render no pods in any case (gateway pods are Istio’s)', () => {
    const podsOf = (chart: string) =>
      renderings
        .filter((r) => r.chart === chart)
        .flatMap((r) => r.manifests.filter((m) => podTemplateOf(m) !== undefined));
    assert.deepEqual(podsOf('istioconfig'), []);
    assert.deepEqual(podsOf('tenant-gateways'), []);
    // Not vacuous: those renderings do hold objects (gateways, certificates, filters).
    assert.ok(renderings.filter((r) => r.chart === 'tenant-gateways').some((r) => r.manifests.length > 10));
  });

  for (const { where, manifest } of workloads) {
    it(`${where} is restricted`, () => {
      assert.deepEqual(
        checkPodSecurity(manifest, 'restricted').map((v) => v.message),
        [],
      );
    });
  }
});
