import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TENANT_GATEWAYS_CHART_DEFINITION } from '../src/chart/tenant-gateways-chart.js';
import { TenantGateways, type TenantGatewaysProps } from '../src/constructs/tenants/tenant-gateways.js';
import { closedModelErrors, runtimeModelErrors } from './support/closed-models.js';
import {
  byKey,
  helm as runHelm,
  HELMS,
  helmTemplateText,
  helmTemplate,
  type Manifest,
  synthesise,
  writeChart,
} from './support/helm.js';
import {
  generatedTenants,
  TENANT_CASES,
  type TenantCase,
  synthesiseTenants,
} from './support/tenant-cases.js';

const chart = writeChart(TENANT_GATEWAYS_CHART_DEFINITION);
const NAMESPACE = 'sluice-system';

for (const helm of HELMS) {
  it(`helm ${helm.major} lint --strict is clean`, async () => {
    assert.match(
      await runHelm(helm, ['lint', '--strict', chart]),
      /1 chart\(s\) linted, 0 chart\(s\) failed/,
    );
  });

  describe(`tenant-gateways chart equals TenantGateways synthesis on Helm ${helm.major}`, () => {
    for (const testCase of TENANT_CASES) {
      it(testCase.name, async () => {
        const rendered = byKey(
          await helmTemplate(helm, chart, {
            release: testCase.release,
            namespace: NAMESPACE,
            values: testCase.values,
          }),
        );
        const synthesised = byKey(synthesiseTenants(testCase));
        assert.deepEqual([...rendered.keys()].sort(), [...synthesised.keys()].sort());
        for (const [key, manifest] of synthesised) assert.deepEqual(rendered.get(key), manifest, key);
      });
    }
  });
}

type Any = Record<string, any>;
const objects = (name: string) =>
  byKey(synthesiseTenants(TENANT_CASES.find((c) => c.name === name) as TenantCase));
const spec = (all: Map<string, Manifest>, key: string): Any => {
  const manifest = all.get(key) as Any | undefined;
  assert.ok(manifest, `${key} exists among ${[...all.keys()].join(', ')}`);
  return manifest.spec;
};

describe('what each tenant gets', () => {
  it('0 tenants: nothing; 1 tenant: Certificate, Gateway and VirtualService in its namespace; 25 tenants: 75 objects', () => {
    assert.equal(objects('no tenants').size, 0);
    assert.deepEqual([...objects('one tenant').keys()].sort(), [
      'Certificate/shop/shop-tls',
      'Gateway/shop/shop-gateway',
      'VirtualService/shop/shop',
    ]);
    const many = objects('25 tenants');
    assert.equal(many.size, 75);
    assert.ok(many.has('Certificate/tenant-1/shop1-tls'), 'a tenant namespace overrides the default');
  });

  it('the Certificate sits beside the gateway, names every host and uses the default ClusterIssuer', () => {
    assert.deepEqual(spec(objects('one tenant'), 'Certificate/shop/shop-tls'), {
      secretName: 'shop-tls',
      dnsNames: ['shop.example.com'],
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      duration: '2160h',
      renewBefore: '360h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    });
    assert.equal(spec(objects('25 tenants'), 'Certificate/tenant-1/shop1-tls').issuerRef.name, 'private-ca');
  });

  it('the Istio Gateway serves HTTPS SIMPLE with credentialName and redirects port 80; selector names the tenant gateway', () => {
    const gateway = spec(objects('one tenant'), 'Gateway/shop/shop-gateway');
    assert.deepEqual(gateway.selector, { istio: 'shop-ingressgateway' });
    assert.deepEqual(gateway.servers, [
      {
        port: { number: 80, name: 'http', protocol: 'HTTP' },
        hosts: ['shop.example.com'],
        tls: { httpsRedirect: true },
      },
      {
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        hosts: ['shop.example.com'],
        tls: { mode: 'SIMPLE', credentialName: 'shop-tls' },
      },
    ]);
    assert.deepEqual(spec(objects('25 tenants'), 'Gateway/tenant-1/shop1-gateway').selector, { app: 'gw-1' });
  });

  it('the VirtualService binds <namespace>/<tenant>-gateway and routes to the backend FQDN and port', () => {
    assert.deepEqual(spec(objects('25 tenants'), 'VirtualService/tenant-4/shop4'), {
      hosts: ['shop4.example.com', 'www.shop4.example.com'],
      gateways: ['tenant-4/shop4-gateway'],
      http: [
        { route: [{ destination: { host: 'web.tenant-4.svc.cluster.local', port: { number: 8081 } } }] },
      ],
    });
  });

  it('Gateway API: one HTTPS and one HTTP listener per host, a backend route on HTTPS and a 301 redirect on HTTP', () => {
    const all = objects('Gateway API with 3 tenants');
    assert.equal(all.size, 12);
    const gateway = spec(all, 'Gateway/shop0/shop0-gateway');
    assert.equal(gateway.gatewayClassName, 'istio');
    assert.deepEqual(
      gateway.listeners.map((l: Any) => `${l.name}:${l.hostname}:${l.port}:${l.protocol}`),
      [
        'https-0:shop0.example.com:443:HTTPS',
        'https-1:www.shop0.example.com:443:HTTPS',
        'http-0:shop0.example.com:80:HTTP',
        'http-1:www.shop0.example.com:80:HTTP',
      ],
    );
    assert.deepEqual(gateway.listeners[0].tls, {
      mode: 'Terminate',
      certificateRefs: [{ kind: 'Secret', group: '', name: 'shop0-tls' }],
    });
    const route = spec(all, 'HTTPRoute/shop0/shop0');
    assert.deepEqual(
      route.parentRefs.map((p: Any) => p.sectionName),
      ['https-0', 'https-1'],
    );
    assert.deepEqual(route.rules, [{ backendRefs: [{ name: 'web', port: 8080 }] }]);
    assert.deepEqual(spec(all, 'HTTPRoute/shop0/shop0-redirect').rules[0].filters[0].requestRedirect, {
      scheme: 'https',
      statusCode: 301,
    });
    assert.equal(objects('Gateway API without redirect').has('HTTPRoute/tenant-0/shop0-redirect'), false);
  });

  it("ClusterIssuer: Let's Encrypt production with DNS01 Route53 region, zone and role", () => {
    const all = objects('DNS01 Route53 issuer');
    assert.deepEqual(spec(all, 'ClusterIssuer//letsencrypt').acme, {
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      email: 'ops@example.com',
      privateKeySecretRef: { name: 'letsencrypt-account-key' },
      solvers: [
        {
          dns01: {
            route53: {
              region: 'eu-west-1',
              hostedZoneID: 'Z0123456789ABC',
              role: 'arn:aws:iam::123456789012:role/cert-manager',
            },
          },
        },
      ],
    });
  });

  it('ClusterIssuer: staging with HTTP01; RSA keys are 3072 bits; Ed25519 has no size', () => {
    const all = objects('HTTP01 staging issuer, RSA keys, no redirect');
    const acme = spec(all, 'ClusterIssuer//le-staging').acme;
    assert.equal(acme.server, 'https://acme-staging-v02.api.letsencrypt.org/directory');
    assert.deepEqual(acme.solvers, [{ http01: { ingress: { ingressClassName: 'istio' } } }]);
    assert.deepEqual(spec(all, 'Certificate/shop0/shop0-tls').privateKey, {
      algorithm: 'RSA',
      size: 3072,
      rotationPolicy: 'Always',
    });
    assert.deepEqual(
      spec(all, 'Gateway/shop0/shop0-gateway').servers.map((s: Any) => s.port.number),
      [443],
    );
    assert.deepEqual(spec(objects('Ed25519 keys'), 'Certificate/shop0/shop0-tls').privateKey, {
      algorithm: 'Ed25519',
      rotationPolicy: 'Always',
    });
  });

  it('names are stable per tenant: removing the first tenant renames no other object', () => {
    const all = generatedTenants(5);
    const before = [
      ...byKey(
        synthesise((s) => new TenantGateways(s, 't', { tenants: all as TenantGatewaysProps['tenants'] })),
      ).keys(),
    ];
    const after = [
      ...byKey(
        synthesise(
          (s) => new TenantGateways(s, 't', { tenants: all.slice(1) as TenantGatewaysProps['tenants'] }),
        ),
      ).keys(),
    ];
    assert.deepEqual(
      after,
      before.filter((key) => !/\/shop0(-tls|-gateway)?$/.test(key)),
    );
  });
});

/** Values both renderers refuse, with the words each must print. */
const REFUSED: readonly { name: string; values: Record<string, unknown>; typed: RegExp; helm: RegExp }[] = [
  {
    name: 'a host claimed by two tenants',
    values: {
      tenants: [
        { name: 'a', hosts: ['x.example.com'], backend: { service: 'web', port: 80 } },
        { name: 'b', hosts: ['y.example.com', 'x.example.com'], backend: { service: 'web', port: 80 } },
      ],
    },
    typed: /tenants: host x\.example\.com is claimed by tenant a and tenant b/,
    helm: /tenants: host x\.example\.com is claimed by tenant a and tenant b/,
  },
  {
    name: 'a tenant name used twice',
    values: {
      tenants: [
        { name: 'a', hosts: ['x.example.com'], backend: { service: 'web', port: 80 } },
        { name: 'a', hosts: ['y.example.com'], backend: { service: 'web', port: 80 } },
      ],
    },
    typed: /tenant name a is used twice/,
    helm: /tenant name a is used twice/,
  },
  {
    name: 'an invalid DNS name',
    values: {
      tenants: [{ name: 'a', hosts: ['shop_1.example.com'], backend: { service: 'web', port: 80 } }],
    },
    typed: /tenants\[0\]\.hosts\[0\]: "shop_1\.example\.com" is not allowed; must be a lower-case DNS name/,
    helm: /tenants\/0\/hosts\/0|hosts/,
  },
  {
    name: 'a hostile tenant name (template text)',
    values: {
      tenants: [{ name: '{{ .Release }}', hosts: ['x.example.com'], backend: { service: 'web', port: 80 } }],
    },
    typed: /tenants\[0\]\.name/,
    helm: /name/,
  },
  {
    name: 'an over-long tenant name',
    values: {
      tenants: [{ name: 'a'.repeat(41), hosts: ['x.example.com'], backend: { service: 'web', port: 80 } }],
    },
    typed: /tenants\[0\]\.name/,
    helm: /name/,
  },
  {
    name: 'a Gateway API backend in another namespace (it would need a ReferenceGrant)',
    values: {
      gatewayApi: { enabled: true },
      tenants: [
        { name: 'a', hosts: ['x.example.com'], backend: { service: 'web', port: 80, namespace: 'shared' } },
      ],
    },
    typed: /tenant a: with gatewayApi\.enabled the backend must be in the tenant namespace a/,
    helm: /tenant a: with gatewayApi\.enabled the backend must be in the tenant namespace a/,
  },
  {
    name: 'an issuer without an e-mail',
    values: { clusterIssuer: { create: true } },
    typed: /clusterIssuer\.email: required when clusterIssuer\.create is true/,
    helm: /clusterIssuer\.email: required when clusterIssuer\.create is true/,
  },
];

describe('refusals: synthesis throws and both Helms fail', () => {
  for (const refused of REFUSED) {
    it(refused.name, async () => {
      assert.throws(
        () => synthesise((s) => new TenantGateways(s, 't', refused.values as TenantGatewaysProps)),
        refused.typed,
      );
      for (const helm of HELMS) {
        await assert.rejects(
          helmTemplateText(helm, chart, { release: 't', namespace: NAMESPACE, values: refused.values }),
          refused.helm,
          `helm ${helm.major}`,
        );
      }
    });
  }
});

describe('every tenant object validates closed against @kubernetes-models', () => {
  const all = TENANT_CASES.flatMap((testCase) => synthesiseTenants(testCase));
  it('Certificate, ClusterIssuer, Istio Gateway/VirtualService and Gateway API Gateway/HTTPRoute', async () => {
    assert.deepEqual([...new Set(all.map((m) => `${m.apiVersion}/${m.kind}`))].sort(), [
      'cert-manager.io/v1/Certificate',
      'cert-manager.io/v1/ClusterIssuer',
      'gateway.networking.k8s.io/v1/Gateway',
      'gateway.networking.k8s.io/v1/HTTPRoute',
      'networking.istio.io/v1/Gateway',
      'networking.istio.io/v1/VirtualService',
    ]);
    assert.deepEqual(closedModelErrors(all), []);
    assert.deepEqual(await runtimeModelErrors(all), []);
  });

  it('a one-letter typo in any kind is refused', () => {
    const firstOfEach = [...new Map(all.map((m) => [`${m.apiVersion}/${m.kind}`, m])).values()];
    const typos = firstOfEach.map((object) => {
      const copy = structuredClone(object) as Any;
      const [first] = Object.keys(copy.spec);
      copy.spec[`${first}z`] = copy.spec[first as string];
      delete copy.spec[first as string];
      return copy as Manifest;
    });
    const errors = closedModelErrors(typos);
    assert.equal(
      new Set(errors.map((e) => /^object (\d+)/.exec(e)?.[1])).size,
      typos.length,
      errors.join('\n'),
    );
  });
});
