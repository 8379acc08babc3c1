import { IstioConfig, type IstioConfigProps } from '../../src/constructs/istio/istio-config.js';
import { type Manifest, synthesise } from './helm.js';

/** One row of the istioconfig matrix: a release, a namespace and chart values (which are also the typed props). */
export interface IstioCase {
  readonly name: string;
  readonly release: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
}

/**
 * The fixed matrix of the issue: defaults, the agent's release and namespace, sidecarMode, the ext_authz
 * knobs, selector and control points, gateways, mTLS off/mesh/namespaces, each exact-balance mode, the
 * extension-provider mode and name overrides.
 */
export const ISTIO_CASES: readonly IstioCase[] = [
  { name: 'defaults', release: 'sluice', namespace: 'istio-system', values: {} },
  {
    name: 'agent of release edge in mesh-control on 9080',
    release: 'sluice',
    namespace: 'istio-system',
    values: { agent: { release: 'edge', namespace: 'mesh-control', port: 9080 } },
  },
  {
    name: 'sidecarMode',
    release: 'sluice',
    namespace: 'istio-system',
    values: { sidecarMode: { enabled: true, port: 18081 } },
  },
  {
    name: 'ext_authz knobs',
    release: 'sluice',
    namespace: 'istio-system',
    values: {
      extAuthz: {
        timeout: '0.5s',
        failureModeAllow: false,
        statusOnError: 'Forbidden',
        requestBody: {
          enabled: true,
          workloadSelector: { labels: { app: 'classified' } },
          maxRequestBytes: 4096,
        },
        sendCredentialHeaders: true,
        allowedHeaders: ['user-type', 'x-request-id'],
        keepaliveTimeMs: 60000,
      },
      accessLog: { bufferFlushInterval: '0.5s', bufferSizeBytes: 4096 },
    },
  },
  {
    name: 'workload selector, control points and priority',
    release: 'sluice',
    namespace: 'demoapp',
    values: {
      workloadSelector: { labels: { app: 'service1' } },
      controlPoints: { inbound: 'svc-in', outbound: 'svc-out' },
      priority: -5,
    },
  },
  {
    name: 'gateways',
    release: 'sluice',
    namespace: 'istio-system',
    values: { gateways: { enabled: true }, controlPoints: { gateway: 'edge' } },
  },
  { name: 'mtls mesh', release: 'sluice', namespace: 'istio-system', values: { mtls: { mode: 'mesh' } } },
  {
    name: 'mtls namespaces',
    release: 'sluice',
    namespace: 'istio-system',
    values: { mtls: { mode: 'namespaces', namespaces: ['demoapp', 'shop'] } },
  },
  {
    name: 'exact balance by proxy metadata in namespaces',
    release: 'sluice',
    namespace: 'istio-system',
    values: {
      exactBalance: {
        inbound: 'proxyMetadata',
        outbound: 'proxyMetadata',
        namespaces: ['demoapp'],
        concurrency: 4,
      },
    },
  },
  {
    name: 'exact balance by EnvoyFilter',
    release: 'sluice',
    namespace: 'istio-system',
    values: { exactBalance: { inbound: 'envoyFilter' } },
  },
  {
    name: 'exact balance with gateways, mesh-wide',
    release: 'sluice',
    namespace: 'istio-system',
    values: { exactBalance: { inbound: 'envoyFilter', outbound: 'proxyMetadata', gateways: true } },
  },
  {
    name: 'extension providers',
    release: 'sluice',
    namespace: 'istio-system',
    values: {
      mode: 'extensionProvider',
      workloadSelector: { labels: { 'sluice.dev/protected': 'true' } },
      extensionProvider: { meshConfigReady: true },
      mtls: { mode: 'mesh' },
    },
  },
  {
    name: 'fullname override in an app namespace',
    release: 'x',
    namespace: 'apps',
    values: { fullnameOverride: 'flow-filter', meshRootNamespace: 'istio-root' },
  },
];

export function synthesiseIstio(testCase: IstioCase): Manifest[] {
  return synthesise((scope) => {
    new IstioConfig(scope, 'istio', {
      release: testCase.release,
      namespace: testCase.namespace,
      ...(testCase.values as IstioConfigProps),
    });
  });
}
