import { TenantGateways, type TenantGatewaysProps } from '../../src/constructs/tenants/tenant-gateways.js';
import { type Manifest, synthesise } from './helm.js';

export interface TenantCase {
  readonly name: string;
  readonly release: string;
  readonly values: Record<string, unknown>;
}

/** `count` tenants, shop0…, each with two hosts, every third with its own namespace and issuer. */
export function generatedTenants(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `shop${index}`,
    hosts: [`shop${index}.example.com`, `www.shop${index}.example.com`],
    backend: { service: 'web', port: 8080 + (index % 3) },
    ...(index % 3 === 1
      ? { namespace: `tenant-${index}`, issuer: 'private-ca', gatewaySelector: { app: `gw-${index}` } }
      : {}),
  }));
}

/** The fixed matrix: 0, 1 and 25 tenants, Gateway API (40 hosts in one tenant too), both ACME solvers, redirect off, RSA and Ed25519 keys. */
export const TENANT_CASES: readonly TenantCase[] = [
  { name: 'no tenants', release: 'tenants', values: {} },
  {
    name: 'one tenant',
    release: 'tenants',
    values: {
      tenants: [{ name: 'shop', hosts: ['shop.example.com'], backend: { service: 'web', port: 8080 } }],
    },
  },
  { name: '25 tenants', release: 'tenants', values: { tenants: generatedTenants(25) } },
  {
    name: 'Gateway API with 3 tenants',
    release: 'edge',
    values: {
      tenants: generatedTenants(3).map((t) => ({ ...t, namespace: undefined, issuer: undefined })),
      gatewayApi: { enabled: true, gatewayClassName: 'istio' },
    },
  },
  {
    name: 'Gateway API without redirect',
    release: 'edge',
    values: { tenants: generatedTenants(1), gatewayApi: { enabled: true }, httpsRedirect: false },
  },
  {
    name: 'DNS01 Route53 issuer',
    release: 'tenants',
    values: {
      tenants: generatedTenants(2),
      clusterIssuer: {
        create: true,
        email: 'ops@example.com',
        route53: {
          region: 'eu-west-1',
          hostedZoneID: 'Z0123456789ABC',
          role: 'arn:aws:iam::123456789012:role/cert-manager',
        },
      },
    },
  },
  {
    name: 'HTTP01 staging issuer, RSA keys, no redirect',
    release: 'tenants',
    values: {
      tenants: [
        ...generatedTenants(2),
        { name: 'own', hosts: ['own.example.com'], backend: { service: 'web', port: 80 }, issuer: 'other' },
      ],
      gatewayApi: { enabled: true },
      httpsRedirect: false,
      certificate: { privateKeyAlgorithm: 'RSA', duration: '720h' },
      clusterIssuer: {
        create: true,
        name: 'le-staging',
        email: 'ops@example.com',
        staging: true,
        solver: 'http01',
      },
    },
  },
  {
    name: 'Ed25519 keys',
    release: 'tenants',
    values: {
      tenants: generatedTenants(1),
      certificate: { privateKeyAlgorithm: 'Ed25519', issuerKind: 'ca' },
    },
  },
  {
    name: 'Gateway API with 40 hosts',
    release: 'edge',
    values: {
      tenants: [
        {
          name: 'big',
          hosts: Array.from({ length: 40 }, (_, index) => `h${index}.example.com`),
          backend: { service: 'web', port: 8080 },
        },
        ...generatedTenants(1),
      ],
      gatewayApi: { enabled: true },
    },
  },
];

export function synthesiseTenants(testCase: TenantCase): Manifest[] {
  return synthesise((scope) => {
    new TenantGateways(scope, 'tenants', {
      release: testCase.release,
      ...(testCase.values as TenantGatewaysProps),
    });
  });
}
