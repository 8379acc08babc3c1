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

  it('Gateway API: one HTTPS and one HTTP listener per Gateway, a backend route on HTTPS and a 301 redirect on HTTP', () => {
    const all = objects('Gateway API with 3 tenants');
    assert.equal(all.size, 12);
    const gateway = spec(all, 'Gateway/shop0/shop0-gateway');
    assert.equal(gateway.gatewayClassName, 'istio');
    assert.deepEqual(
      gateway.listeners.map((l: Any) => `${l.name}:${l.hostname}:${l.port}:${l.protocol}`),
      ['https:undefined:443:HTTPS', 'http:undefined:80:HTTP'],
    );
    assert.deepEqual(gateway.listeners[0].tls, {
      mode: 'Terminate',
      certificateRefs: [{ kind: 'Secret', group: '', name: 'shop0-tls' }],
    });
    const route = spec(all, 'HTTPRoute/shop0/shop0');
    assert.deepEqual(route.parentRefs, [{ name: 'shop0-gateway', sectionName: 'https' }]);
    assert.deepEqual(route.hostnames, ['shop0.example.com', 'www.shop0.example.com']);
    assert.deepEqual(route.rules, [{ backendRefs: [{ name: 'web', port: 8080 }] }]);
    const redirect = spec(all, 'HTTPRoute/shop0/shop0-redirect');
    assert.deepEqual(redirect.parentRefs, [{ name: 'shop0-gateway', sectionName: 'http' }]);
    assert.deepEqual(redirect.rules[0].filters[0].requestRedirect, { scheme: 'https', statusCode: 301 });
    assert.equal(objects('Gateway API without redirect').has('HTTPRoute/tenant-0/shop0-redirect'), false);
    assert.deepEqual(
      spec(objects('Gateway API without redirect'), 'Gateway/shop0/shop0-gateway').listeners.map(
        (l: Any) => l.name,
      ),
      ['https'],
    );
  });

  it('Gateway API limits: 40 hosts make 2 listeners and routes of 16, 16 and 8 hostnames with one parentRef each', () => {
    const all = objects('Gateway API with 40 hosts');
    assert.equal(spec(all, 'Gateway/big/big-gateway').listeners.length, 2);
    const chunks = ['big', 'big.2', 'big.3'].map((name) => spec(all, `HTTPRoute/big/${name}`));
    assert.deepEqual(
      chunks.map((route) => route.hostnames.length),
      [16, 16, 8],
    );
    assert.deepEqual(
      chunks.flatMap((route) => route.hostnames),
      Array.from({ length: 40 }, (_, index) => `h${index}.example.com`),
    );
    assert.deepEqual(
      ['big-redirect', 'big-redirect.2', 'big-redirect.3'].map(
        (name) => spec(all, `HTTPRoute/big/${name}`).hostnames.length,
      ),
      [16, 16, 8],
    );
    for (const route of chunks) assert.equal(route.parentRefs.length, 1);
    assert.equal(all.has('HTTPRoute/big/big.4'), false);
    // Two hosts stay one route under the name it always had.
    assert.deepEqual(spec(all, 'HTTPRoute/shop0/shop0').hostnames.length, 2);
  });

  it('the upstream maxItems are part of closed validation: 17 hostnames, 33 parentRefs, 65 listeners are refused', async () => {
    const route = structuredClone(objects('Gateway API with 40 hosts').get('HTTPRoute/big/big')) as Any;
    route.spec.hostnames = Array.from({ length: 17 }, (_, index) => `x${index}.example.com`);
    route.spec.parentRefs = Array.from({ length: 33 }, () => ({ name: 'big-gateway' }));
    const gateway = structuredClone(
      objects('Gateway API with 40 hosts').get('Gateway/big/big-gateway'),
    ) as Any;
    gateway.spec.listeners = Array.from({ length: 65 }, (_, index) => ({
      name: `l${index}`,
      port: 443,
      protocol: 'HTTPS',
    }));
    const errors = (await runtimeModelErrors([route, gateway] as Manifest[])).join('\n');
    assert.match(errors, /hostnames.*maxItems|must NOT have more than 16 items/);
    assert.match(errors, /must NOT have more than 32 items/);
    assert.match(errors, /must NOT have more than 64 items/);
    route.spec.hostnames = route.spec.hostnames.slice(0, 16);
    route.spec.parentRefs = route.spec.parentRefs.slice(0, 32);
    gateway.spec.listeners = gateway.spec.listeners.slice(0, 64);
    assert.deepEqual(await runtimeModelErrors([route, gateway] as Manifest[]), []);
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

  it("ClusterIssuer: staging with HTTP01 through each default-issuer tenant's Gateway; RSA keys are 3072 bits; Ed25519 has no size", () => {
    const all = objects('HTTP01 staging issuer, RSA keys, no redirect');
    const acme = spec(all, 'ClusterIssuer//le-staging').acme;
    assert.equal(acme.server, 'https://acme-staging-v02.api.letsencrypt.org/directory');
    // shop1 and own name their own issuers, so only shop0's Gateway solves challenges of this one.
    assert.deepEqual(acme.solvers, [
      {
        selector: { dnsNames: ['shop0.example.com', 'www.shop0.example.com'] },
        http01: {
          gatewayHTTPRoute: {
            parentRefs: [
              {
                group: 'gateway.networking.k8s.io',
                kind: 'Gateway',
                name: 'shop0-gateway',
                namespace: 'shop0',
                sectionName: 'http',
              },
            ],
          },
        },
      },
    ]);
    // No redirect, but the challenge needs port 80: the listener stays, the redirect route goes.
    assert.deepEqual(
      spec(all, 'Gateway/shop0/shop0-gateway').listeners.map((l: Any) => `${l.name}:${l.port}`),
      ['https:443', 'http:80'],
    );
    assert.equal(all.has('HTTPRoute/shop0/shop0-redirect'), false);
    assert.deepEqual(spec(all, 'Certificate/shop0/shop0-tls').privateKey, {
      algorithm: 'RSA',
      size: 3072,
      rotationPolicy: 'Always',
    });
    assert.deepEqual(spec(objects('Ed25519 keys'), 'Certificate/shop0/shop0-tls').privateKey, {
      algorithm: 'Ed25519',
      rotationPolicy: 'Always',
    });
  });

  it('the redirect never answers an ACME challenge: Exact beats every prefix (Gateway API match precedence)', () => {
    // cert-manager's challenge route (pkg/issuer/acme/http/httproute.go): the host, an Exact path, the solver Service.
    const challenge = {
      hostnames: ['shop0.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'Exact', value: '/.well-known/acme-challenge/t0k3n' } }],
          backendRefs: [{ name: 'cm-acme-http-solver-x', port: 8089 }],
        },
      ],
    };
    const redirect = spec(objects('Gateway API with 3 tenants'), 'HTTPRoute/shop0/shop0-redirect');
    const routes: RouteSketch[] = [
      { name: 'redirect', hostnames: redirect.hostnames, rules: redirect.rules },
      { name: 'challenge', ...challenge },
    ];
    assert.equal(
      precedenceWinner(routes, 'shop0.example.com', '/.well-known/acme-challenge/t0k3n'),
      'challenge',
    );
    assert.equal(
      precedenceWinner(routes, 'shop0.example.com', '/.well-known/acme-challenge/other'),
      'redirect',
    );
    assert.equal(precedenceWinner(routes, 'shop0.example.com', '/cart'), 'redirect');
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

interface RouteSketch {
  readonly name: string;
  readonly hostnames: readonly string[];
  readonly rules: readonly { readonly matches?: readonly { path?: { type: string; value: string } }[] }[];
}

/**
 * Gateway API's match precedence among routes on one listener (HTTPRouteRule, httproute_types.go): an Exact
 * path match first, then the Prefix match with the most characters. A rule without matches is Prefix `/`.
 */
function precedenceWinner(routes: readonly RouteSketch[], host: string, path: string): string | undefined {
  let best: { name: string; rank: number } | undefined;
  for (const route of routes) {
    if (!route.hostnames.includes(host)) continue;
    for (const rule of route.rules) {
      for (const match of rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]) {
        const { type, value } = match.path ?? { type: 'PathPrefix', value: '/' };
        const prefixHolds = path === value || path.startsWith(value.endsWith('/') ? value : `${value}/`);
        const rank = type === 'Exact' ? (path === value ? Infinity : -1) : prefixHolds ? value.length : -1;
        if (rank >= 0 && (best === undefined || rank > best.rank)) best = { name: route.name, rank };
      }
    }
  }
  return best?.name;
}

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
    name: 'HTTP01 with Istio Gateway objects (the challenge would be redirected or reach no solver)',
    values: {
      tenants: [{ name: 'a', hosts: ['x.example.com'], backend: { service: 'web', port: 80 } }],
      clusterIssuer: { create: true, email: 'ops@example.com', solver: 'http01' },
    },
    typed: /clusterIssuer\.solver: http01 needs gatewayApi\.enabled: true .* so use dns01Route53/,
    helm: /clusterIssuer\.solver: http01 needs gatewayApi\.enabled: true .* so use dns01Route53/,
  },
  {
    name: 'HTTP01 for a tenant with a wildcard host (ACME validates wildcards through DNS01 only)',
    values: {
      gatewayApi: { enabled: true },
      tenants: [
        { name: 'a', hosts: ['a.example.com'], backend: { service: 'web', port: 80 } },
        { name: 'b', hosts: ['b.example.com', '*.b.example.com'], backend: { service: 'web', port: 80 } },
      ],
      clusterIssuer: { create: true, email: 'ops@example.com', solver: 'http01' },
    },
    typed: /tenants: tenant b has a wildcard host, which HTTP01 cannot validate .*dns01Route53/,
    helm: /tenants: tenant b has a wildcard host, which HTTP01 cannot validate .*dns01Route53/,
  },
  {
    name: 'Ed25519 with the default (ACME) issuer kind, even without tenants',
    values: { certificate: { privateKeyAlgorithm: 'Ed25519' } },
    typed: /certificate\.privateKeyAlgorithm: Ed25519 is refused with an ACME issuer .*use ECDSA or RSA/,
    helm: /certificate\.privateKeyAlgorithm: Ed25519 is refused with an ACME issuer .*use ECDSA or RSA/,
  },
  {
    name: "Ed25519 with the chart's own Let's Encrypt issuer, whatever issuerKind says",
    values: {
      certificate: { privateKeyAlgorithm: 'Ed25519', issuerKind: 'ca' },
      clusterIssuer: { create: true, email: 'ops@example.com' },
    },
    typed: /Ed25519 is refused with an ACME issuer/,
    helm: /Ed25519 is refused with an ACME issuer/,
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
