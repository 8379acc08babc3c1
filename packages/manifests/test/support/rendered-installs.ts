import { resolve } from 'node:path';
import { agentSidecarContainer, SluiceAgent } from '../../src/constructs/agent/sluice-agent.js';
import { SluiceController } from '../../src/constructs/controller/sluice-controller.js';
import { SluiceCrds } from '../../src/constructs/crds/sluice-crds.js';
import { SluicePlatform, type SluicePlatformProps } from '../../src/constructs/platform/sluice-platform.js';
import { HELMS, helmTemplate, type Manifest, synthesise } from './helm.js';
import { ISTIO_CASES, synthesiseIstio } from './istio-cases.js';
import { synthesiseTenants, TENANT_CASES } from './tenant-cases.js';

/**
 * Everything Sluice renders, for the whole-output checks (Pod Security Standards, RBAC, secrets): each chart
 * under `charts/` (the committed files, as they ship) through `helm template` on Helm 3 and Helm 4, and the
 * constructs through cdk8s synthesis, each for its defaults and for the values that add pods, containers,
 * Roles or ConfigMaps.
 */

export const CHARTS_DIRECTORY = resolve(import.meta.dirname, '..', '..', '..', '..', 'charts');

export type ChartName = 'sluice' | 'sluice-crds' | 'istioconfig' | 'tenant-gateways';

export interface RenderCase {
  readonly chart: ChartName;
  readonly name: string;
  readonly release: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
}

/** The `sluice` chart: defaults, every optional object and container setting on, and each half alone. */
export const SLUICE_CASES: readonly RenderCase[] = [
  { chart: 'sluice', name: 'defaults', release: 'sluice', namespace: 'sluice-system', values: {} },
  {
    chart: 'sluice',
    name: 'everything on',
    release: 'edge',
    namespace: 'mesh-control',
    values: {
      agent: {
        redis: { url: 'rediss://redis.cache:6380/1', existingSecret: 'redis-auth' },
        defaultControlPoint: 'ingress',
        priorityClassName: '',
        drainSeconds: 0,
        image: { tag: '2.0.1', pullPolicy: 'Always' },
        recordKey: { existingSecret: 'sluice-record-key-mine', key: 'key' },
      },
      controller: { replicas: 3, apiToken: { existingSecret: 'sluice-api', key: 'bearer' } },
      monitoring: {
        serviceMonitor: { enabled: true },
        prometheusRule: { enabled: true },
        grafanaDashboard: { enabled: true },
      },
      networkPolicy: { enabled: true, sidecarNamespaces: ['shop'], apiNamespaces: ['ops'] },
    },
  },
  {
    chart: 'sluice',
    name: 'agent only, pointing at another controller',
    release: 'sluice',
    namespace: 'sluice-system',
    values: { controller: { enabled: false }, agent: { controllerAddress: 'ctl.other.svc:8090' } },
  },
  {
    chart: 'sluice',
    name: 'controller only, with leader election',
    release: 'sluice',
    namespace: 'sluice-system',
    values: { agent: { enabled: false }, controller: { replicas: 2 } },
  },
];

export const RENDER_CASES: readonly RenderCase[] = [
  ...SLUICE_CASES,
  { chart: 'sluice-crds', name: 'defaults', release: 'sluice-crds', namespace: 'sluice-system', values: {} },
  {
    chart: 'sluice-crds',
    name: 'not kept on uninstall',
    release: 'sluice-crds',
    namespace: 'sluice-system',
    values: { keepOnUninstall: false },
  },
  ...ISTIO_CASES.map((c) => ({ chart: 'istioconfig' as const, ...c })),
  ...TENANT_CASES.map((c) => ({ chart: 'tenant-gateways' as const, namespace: 'tenants', ...c })),
];

export function synthesiseCase(testCase: RenderCase): Manifest[] {
  const release = { release: testCase.release, namespace: testCase.namespace };
  switch (testCase.chart) {
    case 'sluice':
      return synthesise(
        (scope) =>
          new SluicePlatform(scope, 'sluice', { ...release, ...(testCase.values as SluicePlatformProps) }),
      );
    case 'sluice-crds':
      return synthesise(
        (scope) => new SluiceCrds(scope, 'crds', { release: testCase.release, ...testCase.values }),
      );
    case 'istioconfig':
      return synthesiseIstio(testCase);
    case 'tenant-gateways':
      return synthesiseTenants(testCase);
  }
}

/** One rendering: where it came from and what it holds. */
export interface Rendered {
  /** `helm 3 sluice: defaults`, `synthesis SluiceAgent custom`... */
  readonly label: string;
  readonly chart: ChartName | 'construct';
  readonly manifests: readonly Manifest[];
}

/**
 * Typed constructs used on their own, beyond what the charts cover: the agent and the controller halves
 * with customised props, and the agent as a sidecar container in an otherwise bare pod (which gives the
 * container nothing to inherit, so it must be restricted by itself).
 */
function constructRenderings(): Rendered[] {
  const agent = synthesise(
    (scope) =>
      new SluiceAgent(scope, 'agent', {
        release: 'edge',
        namespace: 'mesh-control',
        redis: { url: 'redis://redis:6379', existingSecret: 'redis-auth' },
        drainSeconds: 0,
      }),
  );
  const controller = synthesise(
    (scope) =>
      new SluiceController(scope, 'controller', {
        release: 'edge',
        namespace: 'ops',
        replicas: 2,
        apiToken: { existingSecret: 'api' },
      }),
  );
  const sidecarPod: Manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app-with-agent-sidecar', namespace: 'shop' },
    spec: {
      containers: [
        agentSidecarContainer({
          ports: { grpc: 18080, http: 18081 },
          redis: { url: 'redis://redis:6379', existingSecret: 'redis-auth' },
        }),
      ],
    },
  };
  return [
    { label: 'synthesis SluiceAgent customised', chart: 'construct', manifests: agent },
    { label: 'synthesis SluiceController with leader election', chart: 'construct', manifests: controller },
    { label: 'agentSidecarContainer in a bare pod', chart: 'construct', manifests: [sidecarPod] },
  ];
}

let cached: Promise<Rendered[]> | undefined;

/** Every rendering: each case by synthesis and by both Helms, plus the standalone constructs. Computed once. */
export function renderEverything(): Promise<Rendered[]> {
  cached ??= (async () => {
    const synthesised: Rendered[] = RENDER_CASES.map((c) => ({
      label: `synthesis ${c.chart}: ${c.name}`,
      chart: c.chart,
      manifests: synthesiseCase(c),
    }));
    const rendered = await Promise.all(
      HELMS.map(async (helm) => {
        const results: Rendered[] = [];
        // One Helm process at a time per binary: the machine is shared.
        for (const c of RENDER_CASES) {
          const manifests = await helmTemplate(helm, resolve(CHARTS_DIRECTORY, c.chart), c);
          results.push({ label: `helm ${helm.major} ${c.chart}: ${c.name}`, chart: c.chart, manifests });
        }
        return results;
      }),
    );
    return [...synthesised, ...rendered.flat(), ...constructRenderings()];
  })();
  return cached;
}
