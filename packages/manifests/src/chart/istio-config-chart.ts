import type { ChartDefinition } from './chart-generator.js';
import { concat, eq, not, releaseName, releaseNamespace, toJson, value } from '../template/expr.js';
import { IstioConfigValuesSchema, type IstioConfigValues } from '@sluice/spec';
import { textLines, when } from '../template/template-tree.js';
import { valuesView } from '../template/values-view.js';
import { agentTarget } from '../constructs/istio/agent-target.js';
import { ISTIO_CONFIG_CHART, IstioConfig } from '../constructs/istio/istio-config.js';

const SOURCE = 'packages/manifests/src/chart/istio-config-chart.ts';
const view = valuesView<IstioConfigValues>();

/** `charts/istioconfig`: Envoy ext_authz and access logs to the agent, plus mTLS and exact-balance options. */
export const ISTIO_CONFIG_CHART_DEFINITION: ChartDefinition = {
  ...ISTIO_CONFIG_CHART,
  description:
    'Wires Istio sidecars (and optionally gateways) to the Sluice agent: EnvoyFilter or extension providers, STRICT mTLS, exact balance.',
  kubeVersion: '>=1.28.0-0',
  valuesSchema: IstioConfigValuesSchema,
  source: SOURCE,
  build: (scope) => {
    IstioConfig.forChart(scope, 'IstioConfig');
  },
  notes: textLines(
    concat(
      'Sluice istioconfig is installed as release ',
      releaseName,
      ' in namespace ',
      releaseNamespace,
      '.',
    ),
    concat(
      'Envoy dials the agent at ',
      agentTarget(view),
      ' (ext_authz Check and OpenTelemetry access logs).',
    ),
    when(eq(value('mode'), 'envoyFilter'), concat('Verify: kubectl get envoyfilter -n ', releaseNamespace)),
    when(
      eq(value('mode'), 'extensionProvider'),
      concat(
        'Mode extensionProvider: add extensionProviders ',
        value<string>('extensionProvider.authzName'),
        ' (envoyExtAuthzGrpc) and ',
        value<string>('extensionProvider.accessLogName'),
        ' (envoyOtelAls) are in meshConfig (meshConfigReady confirmed it). The CUSTOM AuthorizationPolicy selects only pods labelled ',
        toJson(value('workloadSelector.labels')),
        '; a second CUSTOM provider on those pods (oauth2-proxy, OPA) makes istiod deny all their requests before Istio 1.30 or without PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS.',
      ),
    ),
    when(
      not(eq(value('mtls.mode'), 'off')),
      concat(
        'STRICT mTLS: the PeerAuthentication objects named default are kept when this release is uninstalled (and by Argo CD and Flux pruning); delete them yourself to leave STRICT. An existing default policy makes the install fail until Helm may adopt it: kubectl -n <namespace> annotate peerauthentication default meta.helm.sh/release-name=',
        releaseName,
        ' meta.helm.sh/release-namespace=',
        releaseNamespace,
        ' && kubectl -n <namespace> label peerauthentication default app.kubernetes.io/managed-by=Helm',
      ),
    ),
    when(
      value('extAuthz.requestBody.enabled'),
      concat(
        'Request bodies are buffered into each Check for pods labelled ',
        toJson(value('extAuthz.requestBody.workloadSelector.labels')),
        ' only: buffering hangs gRPC client-streaming and bidirectional calls on those pods.',
      ),
    ),
  ),
  readme: `
Generated from the \`IstioConfig\` construct of \`@sluice/manifests\`; \`helm template\` of this chart equals
cdk8s synthesis with the same values on Helm 3 and Helm 4. Supported Istio: 1.22 and later
(EnvoyFilter \`networking.istio.io/v1alpha3\`, ProxyConfig \`networking.istio.io/v1beta1\`,
PeerAuthentication and AuthorizationPolicy \`security.istio.io/v1\`, Telemetry \`telemetry.istio.io/v1\`).

Install it into the istiod namespace so it applies mesh-wide (or into an application namespace to limit it):

\`\`\`sh
helm install sluice-istio charts/istioconfig --namespace istio-system
kubectl get envoyfilter -n istio-system
\`\`\`

Mode \`extensionProvider\` (Istio's AuthorizationPolicy CUSTOM and Telemetry) is refused until two things hold,
because istiod answers a CUSTOM policy it cannot serve by denying every request the policy selects
(\`pilot/pkg/security/authz/builder\`): the policy needs \`workloadSelector.labels\` (never the whole mesh), and
\`extensionProvider.meshConfigReady: true\` confirms that \`meshConfig.extensionProviders\` holds both providers
(\`sluicectl install istioconfig --namespace istio-system --mesh-config\` prints them). Before Istio 1.30, or
without \`PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS\`, a pod may carry one CUSTOM provider only: keep the selector
clear of pods that oauth2-proxy or OPA already guard, or istiod denies all their requests.

STRICT mTLS (\`mtls.mode\`) is opt-in (\`off\` by default). The PeerAuthentication objects it renders are kept on
uninstall and never pruned by Argo CD or Flux (\`helm.sh/resource-policy: keep\`, \`Delete=false\`,
\`prune: disabled\`): uninstalling Sluice must not silently downgrade the mesh. When a \`default\` policy already
exists, Helm refuses to take it over until it carries the release's ownership metadata:

\`\`\`sh
kubectl -n istio-system annotate peerauthentication default \\
  meta.helm.sh/release-name=sluice-istio meta.helm.sh/release-namespace=istio-system
kubectl -n istio-system label peerauthentication default app.kubernetes.io/managed-by=Helm
\`\`\`

Request-body buffering (\`extAuthz.requestBody.enabled\`) is off by default: it hangs gRPC client-streaming and
bidirectional calls (istio#27777, envoy#42800). When on, it applies only to the pods
\`extAuthz.requestBody.workloadSelector.labels\` selects, through a second EnvoyFilter.

With the defaults Envoy dials \`sluice-agent.sluice-system.svc.cluster.local:8080\` (the agent of release
\`sluice\` of the \`sluice\` chart) with a 0.25s deadline, fails open, and never sends credential headers
(Authorization, Cookie, API keys) to the agent. Values are checked by \`values.schema.json\`; combinations a
schema cannot express (virtualOutbound exact balance, a mesh-wide ProxyConfig that would reach gateways,
STRICT mTLS in the agent namespace, a selector-less or unconfirmed CUSTOM policy, unscoped body buffering) are refused by the templates with the reason.
`,
};
