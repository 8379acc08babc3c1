/**
 * The multi-tenant example (after the Aspen Mesh case in the seed notes): one ingress gateway per tenant,
 * each with its own Let's Encrypt certificate validated by DNS01 on Route53; STRICT mTLS mesh-wide, so
 * traffic is encrypted from the gateway to every service; exact connection balance on the tenants'
 * sidecars, so a few long-lived connections cannot pin one Envoy worker.
 */
import { type App, Chart } from 'cdk8s';
import { IstioConfig, TenantGateways, SluiceCrds, SluicePlatform } from '@sluice/manifests';

export default function build(app: App): void {
  new SluiceCrds(new Chart(app, 'sluice-crds'), 'crds');
  new SluicePlatform(new Chart(app, 'sluice'), 'sluice', { release: 'sluice', namespace: 'sluice-system' });
  new IstioConfig(new Chart(app, 'istioconfig'), 'istio', {
    release: 'sluice',
    namespace: 'istio-system',
    mtls: { mode: 'mesh' },
    // Inbound balance on the tenant namespaces: each also hosts its tenant's gateway, and a namespace
    // ProxyConfig reaches gateway pods too. Outbound balance applies to gateway listeners (many short
    // connections, where exact balance locks every accept), so synth refuses it here; inbound balance
    // only changes sidecars' inbound listeners, which gateways do not have.
    exactBalance: {
      inbound: 'proxyMetadata',
      namespaces: ['clinic', 'pharmacy'],
      concurrency: 4,
    },
  });
  new TenantGateways(new Chart(app, 'tenant-gateways'), 'tenants', {
    tenants: [
      {
        name: 'clinic',
        hosts: ['clinic.example.com', 'www.clinic.example.com'],
        backend: { service: 'portal', port: 8080 },
      },
      { name: 'pharmacy', hosts: ['pharmacy.example.com'], backend: { service: 'shop', port: 8080 } },
    ],
    clusterIssuer: {
      create: true,
      email: 'platform@example.com',
      solver: 'dns01Route53',
      route53: {
        region: 'eu-west-1',
        hostedZoneID: 'Z0EXAMPLE12345',
        role: 'arn:aws:iam::123456789012:role/cert-manager-route53',
      },
    },
  });
}
