import {
  and,
  chartAppVersion,
  concat,
  defaultTo,
  type Expr,
  not,
  releaseName,
  releaseNamespace,
  value,
} from '../template/expr.js';
import type { ChartDefinition } from './chart-generator.js';
import { HelmNames } from '../template/helm-names.js';
import { SluiceCrds } from '../constructs/crds/sluice-crds.js';
import { API_TOKEN_SECRET_COMPONENT } from '../constructs/controller/controller-binding.js';
import { SluicePlatform } from '../constructs/platform/sluice-platform.js';
import { SLUICE_CHART_FACTS, SluiceChartValuesSchema, SluiceCrdsChartValuesSchema } from '@sluice/spec';
import { textLines, when } from '../template/template-tree.js';
import { valuesView } from '../template/values-view.js';
import { ISTIO_CONFIG_CHART_DEFINITION } from './istio-config-chart.js';
import { TENANT_GATEWAYS_CHART_DEFINITION } from './tenant-gateways-chart.js';

const SOURCE = 'packages/manifests/src/chart/charts.ts';

/**
 * Kubernetes 1.28 and later: the rendered objects use no field newer than 1.28 (the agent waits out its
 * drain itself rather than through `lifecycle.preStop.sleep`, beta only in 1.30).
 */
const KUBE_VERSION = '>=1.28.0-0';

const names = new HelmNames(valuesView(), 'sluice');
/** The Secret holding the API token: the user's, or the one the controller creates at run time. */
const apiTokenSecret = defaultTo(
  value<string | undefined>('controller.apiToken.existingSecret'),
  names.component(API_TOKEN_SECRET_COMPONENT),
);

/** The NOTES line that reads the API token out of its Secret. */
function tokenLine(key: string | Expr<string>): Expr<string> {
  return concat(
    '  Token: export SLUICE_TOKEN=$(kubectl get secret -n ',
    releaseNamespace,
    ' ',
    apiTokenSecret,
    " -o jsonpath='{.data.",
    key,
    "}' | base64 -d)",
  );
}

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
        'Controller API for sluicectl (token required): http://',
        names.component('controller'),
        '.',
        releaseNamespace,
        '.svc:',
        value<number>('controller.ports.api'),
      ),
    ),
    when(
      value('controller.enabled'),
      concat(
        '  From your machine: kubectl port-forward -n ',
        releaseNamespace,
        ' svc/',
        names.component('controller'),
        ' ',
        value<number>('controller.ports.api'),
        ' and sluicectl --controller http://127.0.0.1:',
        value<number>('controller.ports.api'),
      ),
    ),
    when(
      and(value('controller.enabled'), value('controller.apiToken.existingSecret')),
      tokenLine(value<string>('controller.apiToken.key')),
    ),
    // The controller creates this Secret at run time (key token): it exists once the controller has started.
    when(
      and(value('controller.enabled'), not(value('controller.apiToken.existingSecret'))),
      tokenLine('token'),
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
HTTP 8081) and \`sluice-controller\` (gRPC 8090 for agents, HTTP 8091 for probes and metrics, 8092 for the
\`/v1\` API sluicectl uses). Other releases follow
Helm's fullname rule: release \`edge\` gives \`edge-sluice-agent\`. Values are checked by
\`values.schema.json\`: an unknown key, a wrong type or an out-of-range port is refused with its path.

Every pod meets the restricted Pod Security Standard. \`controller.replicas\` above 1 runs standby
controllers that elect a leader through the Lease \`<fullname>-controller\` (the Role then allows it).
\`networkPolicy.enabled\` adds ingress NetworkPolicies: the agent's gRPC port for sidecars, the HTTP ports
for the metrics namespaces, the controller's API port for the API namespaces, its gRPC port for this
release's agents only; kubelet probes come from the node, which NetworkPolicy always admits.

Credentials are never rendered. The API always needs a bearer token: from the Secret you name in
\`controller.apiToken.existingSecret\`, or else from \`<fullname>-controller-api-token\`, which the
controller creates at run time (32 random bytes) if absent and reads; replicas converge on one. Agents
authenticate to the controller with a projected service-account token (audience \`sluice-controller\`,
1 h) that the controller checks with a TokenReview, so the ClusterRole \`<namespace>-<fullname>-controller\`
grants \`tokenreviews: create\` and nothing else. Agents mount the decision-record key from
\`agent.recordKey.existingSecret\`, or else from \`<fullname>-record-key\`, also created by the controller.
The controller's Role grants \`secrets: create\` and \`get\` on those two names only. Get the token and
reach the API:

\`\`\`sh
export SLUICE_TOKEN=$(kubectl get secret -n sluice-system sluice-controller-api-token -o jsonpath='{.data.token}' | base64 -d)
kubectl port-forward -n sluice-system svc/sluice-controller 8092
sluicectl policy list --controller http://127.0.0.1:8092
\`\`\`

Redis credentials come only from the Secret you name in \`agent.redis.existingSecret\`.

**Prometheus operator.** A kube-prometheus-stack Prometheus selects ServiceMonitors and PrometheusRules
labelled \`release: <its release>\` by default (its \`serviceMonitorSelectorNilUsesHelmValues\` and
\`ruleSelectorNilUsesHelmValues\` are true), so give both that label, and a namespace its
\`*NamespaceSelector\` watches if it is not this one:

\`\`\`sh
helm install sluice charts/sluice --namespace sluice-system \\
  --set monitoring.serviceMonitor.enabled=true --set monitoring.serviceMonitor.labels.release=kube-prometheus-stack \\
  --set monitoring.prometheusRule.enabled=true --set monitoring.prometheusRule.labels.release=kube-prometheus-stack
\`\`\`

**GitOps.** \`sluicectl synth\` writes this chart's objects (or a reference to it) for Argo CD 2.10 or later
(\`argoproj.io/v1alpha1\` Applications in an app of apps; the \`argocd-cm\` Application health check it
ships as a patch is needed on every version since 1.8) and Flux 2.3 or later (\`source.toolkit.fluxcd.io/v1\`,
\`kustomize.toolkit.fluxcd.io/v1\`, \`helm.toolkit.fluxcd.io/v2\`, which is GA since Flux 2.3).
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
