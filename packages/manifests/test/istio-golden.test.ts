import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { parse } from 'yaml';
import { IstioConfig } from '../src/constructs/istio/istio-config.js';
import { TenantGateways } from '../src/constructs/tenants/tenant-gateways.js';

/**
 * Golden files of the mesh constructs, in the same form as `golden.test.ts`: `test/golden/mesh/<case>.input.yaml`
 * names a construct and its props, `<case>.golden.yaml` is its synthesis, compared byte for byte.
 * `UPDATE_GOLDEN=1` rewrites them. The facts that matter are asserted by hand in istio-*.test.ts and
 * tenant-gateways.test.ts.
 */
const CONSTRUCTS: Readonly<Record<string, (scope: Construct, props: never) => Construct>> = {
  IstioConfig: (scope, props) => new IstioConfig(scope, 'istio', props),
  TenantGateways: (scope, props) => new TenantGateways(scope, 'tenants', props),
};

const directory = join(import.meta.dirname, 'golden', 'mesh');
const cases = readdirSync(directory)
  .filter((file) => file.endsWith('.input.yaml'))
  .map((file) => file.slice(0, -'.input.yaml'.length))
  .sort();

describe('golden synthesis of the mesh constructs', () => {
  it('has a defaults and a customised case for each construct', () => {
    assert.deepEqual(cases, [
      'istioconfig-custom',
      'istioconfig-defaults',
      'tenant-gateways-custom',
      'tenant-gateways-defaults',
    ]);
  });

  for (const name of cases) {
    it(name, () => {
      const input = parse(readFileSync(join(directory, `${name}.input.yaml`), 'utf8')) as {
        construct: string;
        props: never;
      };
      const build = CONSTRUCTS[input.construct];
      assert.ok(build, `unknown construct ${input.construct}`);
      const app = new App();
      build(new Chart(app, 'golden'), input.props);
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

  it('the customised goldens hold what their inputs ask for', () => {
    const istio = readFileSync(join(directory, 'istioconfig-custom.golden.yaml'), 'utf8');
    assert.equal(
      istio.match(/target_uri: edge-sluice-agent\.mesh-control\.svc\.cluster\.local:9080/g)?.length,
      6,
    );
    assert.match(istio, /code: TooManyRequests/);
    assert.equal(istio.match(/kind: PeerAuthentication/g)?.length, 2);
    assert.equal(istio.match(/kind: ProxyConfig/g)?.length, 2);
    const tenants = readFileSync(join(directory, 'tenant-gateways-custom.golden.yaml'), 'utf8');
    assert.equal(tenants.match(/kind: HTTPRoute/g)?.length, 4);
    assert.match(tenants, /server: https:\/\/acme-staging-v02\.api\.letsencrypt\.org\/directory/);
    assert.match(tenants, /size: 3072/);
  });
});
