import { and, chartAppVersion, concat, not, releaseName, releaseNamespace, value } from './expr.js';
import type { ChartDefinition } from './chart-generator.js';
import { HelmNames } from './helm-names.js';
import { SluiceCrds } from './sluice-crds.js';
import { SluicePlatform } from './sluice-platform.js';
import { SLUICE_CHART_FACTS, SluiceChartValuesSchema, SluiceCrdsChartValuesSchema } from './spec-values.js';
import { textLines, when } from './template-tree.js';
import { valuesView } from './values-view.js';
import { ISTIO_CONFIG_CHART_DEFINITION } from './istio/istio-config-chart.js';
import { TENANT_GATEWAYS_CHART_DEFINITION } from './tenants/tenant-gateways-chart.js';

const SOURCE = 'packages/manifests/src/charts.ts';

/**
 * Kubernetes 1.30 is the first release with the preStop `sleep` action on by default, which the agent's
 * drain uses.
 */
const KUBE_VERSION = '>=1.30.0-0';

const names = new HelmNames(valuesView(), 'sluice');

/** `charts/sluice`: the agent and the controller. */
export const SLUICE_CHART_DEFINITION: ChartDefinition = {
  name: 'sluice',
  description:
    'Sluice load management for Istio/Envoy meshes: the node agent (ext_authz) and the controller.',
  ...SLUICE_CHART_FACTS,
  kubeVersion: KUBE_VERSION,
  valuesSchema: SluiceChartValuesSchema,
  source: SOURCE,
  build: (scope) => {
    SluicePlatform.forChart(scope, 'Sluice');
  },
  notes: textLines(
    concat(
      'Sluice ',
      chartAppVersion,
      ' is installed as release ',
      releaseName,
      ' in namespace ',
      releaseNamespace,
      '.',
    ),
    when(
      value('agent.enabled'),
      concat(
        'Agent (point the istioconfig ext_authz target here): ',
        names.component('agent'),
        '.',
        releaseNamespace,
        '.svc.cluster.local:',
        value<number>('agent.ports.grpc'),
      ),
    ),
    when(
      value('controller.enabled'),
      concat(
        'Controller API for sluicectl: http://',
        names.component('controller'),
        '.',
        releaseNamespace,
        '.svc:',
        value<number>('controller.ports.http'),
      ),
    ),
    when(
      value('controller.enabled'),
      'FlowPolicy resources need the CRDs: helm install sluice-crds charts/sluice-crds',
    ),
    // An agent without a controller admits everything; say so rather than let it dial a Service that does not exist.
    when(
      and(value('agent.enabled'), not(value('controller.enabled')), not(value('agent.controllerAddress'))),
      concat(
        'Warning: controller.enabled is false and agent.controllerAddress is unset, so agents dial ',
        names.component('controller'),
        ', which this release does not deploy.',
      ),
    ),
  ),
  readme: `
Sluice's agent and controller, generated from the \`SluicePlatform\` construct of \`@sluice/manifests\`
(\`SluiceAgent\` and \`SluiceController\`). \`helm template\` of this chart equals cdk8s synthesis of the
construct with the same values, on Helm 3 and Helm 4; the tests in \`packages/manifests/test\` check it.

\`\`\`sh
helm install sluice-crds charts/sluice-crds --namespace sluice-system --create-namespace
helm install sluice charts/sluice --namespace sluice-system
\`\`\`

Release \`sluice\` gives the Services \`sluice-agent\` (gRPC 8080 for Envoy's ext_authz and access logs,
HTTP 8081) and \`sluice-controller\` (gRPC 8090 for agents, HTTP 8091 for the API). Other releases follow
Helm's fullname rule: release \`edge\` gives \`edge-sluice-agent\`. Values are checked by
\`values.schema.json\`: an unknown key, a wrong type or an out-of-range port is refused with its path.

Every pod meets the restricted Pod Security Standard. \`controller.replicas\` above 1 runs standby
controllers that elect a leader through the Lease \`<fullname>-controller\` (the Role then allows it).
\`networkPolicy.enabled\` adds ingress NetworkPolicies: the agent's gRPC port for sidecars, the HTTP ports
for the metrics namespaces, the controller's gRPC port for this release's agents only; kubelet probes come
from the node, which NetworkPolicy always admits. Credentials (Redis, the API token) come only from Secrets
you create, named by \`existingSecret\`.
`,
};

/** `charts/sluice-crds`: the FlowPolicy CRD, as a template so \`helm upgrade\` updates it. */
export const SLUICE_CRDS_CHART_DEFINITION: ChartDefinition = {
  name: 'sluice-crds',
  description: 'The FlowPolicy custom resource definition of Sluice (sluice.dev/v1alpha1).',
  ...SLUICE_CHART_FACTS,
  kubeVersion: KUBE_VERSION,
  valuesSchema: SluiceCrdsChartValuesSchema,
  source: SOURCE,
  build: (scope) => {
    SluiceCrds.forChart(scope, 'Crds');
  },
  notes: textLines(
    'FlowPolicy (flowpolicies.sluice.dev, short name fp) is installed. List policies with: kubectl get fp -A',
  ),
  readme: `
The FlowPolicy CRD, generated from the \`SluiceCrds\` construct of \`@sluice/manifests\`. Its schema is the
structural form of \`FlowPolicySchema\` from \`@sluice/spec\`. The CRD is a template, not a file under
\`crds/\`, so \`helm upgrade\` updates it; by default it is kept when the chart is uninstalled, so removing
the chart never deletes every FlowPolicy in the cluster.

\`\`\`sh
helm install sluice-crds charts/sluice-crds
\`\`\`
`,
};

export const CHART_DEFINITIONS: readonly ChartDefinition[] = [
  SLUICE_CHART_DEFINITION,
  SLUICE_CRDS_CHART_DEFINITION,
  ISTIO_CONFIG_CHART_DEFINITION,
  TENANT_GATEWAYS_CHART_DEFINITION,
];
