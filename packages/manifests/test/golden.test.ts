import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { parse } from 'yaml';
import { SluiceAgent } from '../src/constructs/agent/sluice-agent.js';
import { SluiceController } from '../src/constructs/controller/sluice-controller.js';
import { SluiceCrds } from '../src/constructs/crds/sluice-crds.js';
import { IstioConfig } from '../src/constructs/istio/istio-config.js';
import { SluiceMonitoring } from '../src/constructs/monitoring/sluice-monitoring.js';
import { SluiceNetworkPolicies } from '../src/constructs/network-policies/sluice-network-policies.js';
import { platformBindings, typedPlatformBinding } from '../src/constructs/platform/platform-bindings.js';
import { SluicePlatform } from '../src/constructs/platform/sluice-platform.js';
import { ApertureMigratedPolicy } from '../src/constructs/policies/aperture-migrated-policy.js';
import { AverageLatencyPolicy } from '../src/constructs/policies/average-latency-policy.js';
import { FlowPolicyResource } from '../src/constructs/policies/flow-policy-resource.js';
import { RateLimitPolicy } from '../src/constructs/policies/rate-limit-policy.js';
import { TenantGateways } from '../src/constructs/tenants/tenant-gateways.js';

/**
 * Golden files of every construct: `test/golden/**\/<case>.input.yaml` names a construct and its props,
 * `<case>.golden.yaml` is its synthesis, compared byte for byte. Each construct has a `<prefix>-defaults`
 * and a `<prefix>-custom` case. Only `UPDATE_GOLDEN=1` rewrites the goldens; review the diff like code.
 * The hand-written assertions in the construct tests say which facts in them matter.
 */
interface GoldenConstruct {
  /** Case names are `<prefix>-defaults` and `<prefix>-custom`. */
  readonly prefix: string;
  readonly build: (scope: Construct, props: never) => void;
}

/** The parts of the platform take a binding, not props: build one from `SluicePlatformProps`. */
const platformParts = (props: never) => platformBindings(typedPlatformBinding(props));

const CONSTRUCTS: Readonly<Record<string, GoldenConstruct>> = {
  SluicePlatform: { prefix: 'platform', build: (scope, props) => new SluicePlatform(scope, 'sluice', props) },
  SluiceAgent: { prefix: 'agent', build: (scope, props) => new SluiceAgent(scope, 'agent', props) },
  SluiceController: {
    prefix: 'controller',
    build: (scope, props) => new SluiceController(scope, 'controller', props),
  },
  SluiceCrds: { prefix: 'crds', build: (scope, props) => new SluiceCrds(scope, 'crds', props) },
  SluiceNetworkPolicies: {
    prefix: 'network-policies',
    build: (scope, props) =>
      new SluiceNetworkPolicies(scope, 'network-policies', platformParts(props).networkPolicies),
  },
  SluiceMonitoring: {
    prefix: 'monitoring',
    build: (scope, props) => new SluiceMonitoring(scope, 'monitoring', platformParts(props).monitoring),
  },
  IstioConfig: { prefix: 'istioconfig', build: (scope, props) => new IstioConfig(scope, 'istio', props) },
  TenantGateways: {
    prefix: 'tenant-gateways',
    build: (scope, props) => new TenantGateways(scope, 'tenants', props),
  },
  FlowPolicyResource: {
    prefix: 'flow-policy-resource',
    build: (scope, props) => new FlowPolicyResource(scope, 'policy', props),
  },
  AverageLatencyPolicy: {
    prefix: 'average-latency-policy',
    build: (scope, props) => new AverageLatencyPolicy(scope, 'policy', props),
  },
  RateLimitPolicy: {
    prefix: 'rate-limit-policy',
    build: (scope, props) => new RateLimitPolicy(scope, 'policy', props),
  },
  ApertureMigratedPolicy: {
    prefix: 'aperture-migrated-policy',
    build: (scope, props) => new ApertureMigratedPolicy(scope, 'policy', props),
  },
};

const directory = join(import.meta.dirname, 'golden');
/** Cases by path under `golden/`, without the `.input.yaml` suffix (`mesh/istioconfig-custom`). */
const cases = readdirSync(directory, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.input.yaml'))
  .map((file) => file.slice(0, -'.input.yaml'.length))
  .sort();

function input(name: string): { construct: string; props: never } {
  return parse(readFileSync(join(directory, `${name}.input.yaml`), 'utf8')) as {
    construct: string;
    props: never;
  };
}

/** Every class under src/constructs that extends Construct (SluiceObject is the objects' base, not a construct). */
function constructClasses(): string[] {
  const root = join(import.meta.dirname, '..', 'src', 'constructs');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/export class (\w+) extends Construct\b/g)].map(
        (match) => match[1] ?? '',
      ),
    )
    .filter((name) => name !== 'SluiceObject')
    .sort();
}

describe('golden synthesis', () => {
  it('the table covers every construct in src/constructs, twelve of them', () => {
    assert.deepEqual(Object.keys(CONSTRUCTS).sort(), constructClasses());
    assert.equal(Object.keys(CONSTRUCTS).length, 12);
  });

  it('has exactly a defaults and a customised case for each construct, and no case of anything else', () => {
    const byConstruct = new Map<string, string[]>();
    for (const name of cases) {
      const { construct } = input(name);
      assert.ok(CONSTRUCTS[construct], `${name}: unknown construct ${construct}`);
      byConstruct.set(construct, [...(byConstruct.get(construct) ?? []), basename(name)]);
    }
    for (const [construct, { prefix }] of Object.entries(CONSTRUCTS)) {
      assert.deepEqual(
        byConstruct.get(construct)?.sort(),
        [`${prefix}-custom`, `${prefix}-defaults`],
        construct,
      );
    }
  });

  for (const name of cases) {
    it(name, () => {
      const { construct, props } = input(name);
      const entry = CONSTRUCTS[construct];
      assert.ok(entry, `unknown construct ${construct}`);
      const app = new App();
      entry.build(new Chart(app, 'golden'), props);
      const actual = app.synthYaml();
      const goldenPath = join(directory, `${name}.golden.yaml`);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath, actual);
      assert.equal(
        actual,
        readFileSync(goldenPath, 'utf8'),
        `${name} differs from its golden; rerun with UPDATE_GOLDEN=1 and review the diff`,
      );
    });
  }

  it('the customised mesh goldens hold what their inputs ask for', () => {
    const istio = readFileSync(join(directory, 'mesh', 'istioconfig-custom.golden.yaml'), 'utf8');
    assert.equal(
      istio.match(/target_uri: edge-sluice-agent\.mesh-control\.svc\.cluster\.local:9080/g)?.length,
      6,
    );
    assert.match(istio, /code: TooManyRequests/);
    assert.equal(istio.match(/kind: PeerAuthentication/g)?.length, 2);
    assert.equal(istio.match(/kind: ProxyConfig/g)?.length, 2);
    const tenants = readFileSync(join(directory, 'mesh', 'tenant-gateways-custom.golden.yaml'), 'utf8');
    assert.equal(tenants.match(/kind: HTTPRoute/g)?.length, 4);
    assert.match(tenants, /server: https:\/\/acme-staging-v02\.api\.letsencrypt\.org\/directory/);
    assert.match(tenants, /size: 3072/);
  });

  it('the customised sluice and policy goldens hold what their inputs ask for', () => {
    const read = (name: string) => readFileSync(join(directory, `${name}.golden.yaml`), 'utf8');
    const platform = read('platform-custom');
    // Two replicas: agents dial the peers Service; the agents' own record key: the controller creates none.
    assert.match(platform, /controller: "dns:\/\/\/edge-sluice-controller-peers\.mesh-control\.svc:8090"/);
    assert.match(platform, /secretName: edge-record-key/);
    assert.doesNotMatch(platform, /recordKeySecret/);
    assert.equal(platform.match(/kind: NetworkPolicy/g)?.length, 2);
    assert.equal(platform.match(/kind: ServiceMonitor/g)?.length, 1);
    const policies = read('network-policies-custom');
    // metricsNamespaces [] leaves no rule for the http ports; the API port is open to ops only.
    assert.doesNotMatch(policies, /port: 9081|port: 9091/);
    assert.match(policies, / {16}- ops\n {6}ports:\n {8}- port: 9092/);
    const monitoring = read('monitoring-custom');
    assert.match(monitoring, /interval: 15s/);
    assert.doesNotMatch(monitoring, /kind: ConfigMap/);
    assert.match(read('policies/aperture-migrated-policy-custom'), /deniedResponseStatusCode: 429/);
    assert.match(read('policies/rate-limit-policy-custom'), /interval: 500ms/);
  });
});
