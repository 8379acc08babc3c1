import { z } from 'zod';
import { portSchema } from './chart-values-common.js';

/**
 * Install-time choices for the `istioconfig` chart and the `IstioConfig` construct: how Envoy sidecars
 * (and optionally ingress gateways) reach the Sluice agent, plus the mesh options that sit beside it
 * (STRICT mTLS, exact connection balance). Supported Istio: 1.22 and later.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = (description: string, max = 63) =>
  z
    .string()
    .max(max)
    .regex(DNS_LABEL, { message: 'must be a DNS-1123 label: lower-case letters, digits and -' })
    .describe(description);

/** Envoy's Duration JSON form in seconds; Envoy rejects "250ms" in a proto Duration, so only seconds are offered. */
const ENVOY_SECONDS = /^[0-9]{1,4}(\.[0-9]{1,9})?s$/;
const envoySeconds = (fallback: string, description: string) =>
  z
    .string()
    .regex(ENVOY_SECONDS, { message: 'must be seconds such as 0.25s or 1s (Envoy Duration form)' })
    .default(fallback)
    .describe(description);

/** Header names as Envoy lower-cases them. */
const headerName = z
  .string()
  .max(128)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'must be a lower-case HTTP header name' });

/** Label keys and values of a workload selector (Kubernetes label syntax). */
const labelKey = z
  .string()
  .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
    message: 'must be a Kubernetes label key',
  });
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, {
  message: 'must be a Kubernetes label value',
});

/** Control-point names travel as gRPC metadata; FlowPolicy selectors name them. */
const controlPoint = (fallback: string, description: string) =>
  z
    .string()
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/, {
      message: 'must be a control-point name: lower-case letters, digits, - _ .',
    })
    .default(fallback)
    .describe(description);

/** Why patching virtualOutbound is refused; the chart's template `fail` prints the same words. */
export const VIRTUAL_OUTBOUND_REFUSAL =
  'exactBalance.outbound: virtualOutbound is refused: virtualOutbound (port 15001) hands every connection to a per-destination listener ' +
  '(original destination), so the balancer counts each connection up and straight back down and always reads zero — balance looks perfect while ' +
  'one worker takes everything (envoy#15146); even balanced per listener, connections to different destinations still pile on one worker ' +
  '(envoy#21575). Use exactBalance.outbound: proxyMetadata, which balances the redirected per-port outbound listeners.';

/**
 * Why a mesh-wide ProxyConfig that touches gateway listeners needs `exactBalance.gateways`. Only the outbound
 * variable and the worker count reach gateways: Istio applies OUTBOUND_LISTENER_EXACT_BALANCE to gateway
 * listeners, while the inbound variable only changes sidecars' inbound listeners, which gateways lack.
 */
export const GATEWAY_WIDE_EXACT_BALANCE_REFUSAL =
  'exactBalance.namespaces: an empty list puts the ProxyConfig in the mesh root namespace, where outbound exact balance (and a worker count) ' +
  "also reaches ingress gateways, whose listeners then lock every accept of many short connections (Istio's own guidance); list the " +
  'application namespaces, use inbound balance only (it never reaches gateway listeners), or set exactBalance.gateways: true.';

/** Why outbound balance is refused in a namespace that hosts a gateway (a namespace ProxyConfig reaches its pods). */
export function gatewayNamespaceExactBalanceRefusal(namespace: string): string {
  return (
    `exactBalance.namespaces: namespace ${namespace} hosts an ingress gateway, and a namespace ProxyConfig reaches gateway pods too: ` +
    'outbound exact balance there would lock every accept of the gateway listeners. Use inbound balance only in gateway namespaces, or ' +
    'move the gateway to its own namespace.'
  );
}

/** Why the agent's namespace may not get a STRICT PeerAuthentication. */
export const AGENT_NAMESPACE_MTLS_REFUSAL =
  'mtls.namespaces: the agent namespace runs outside the mesh (no sidecars): a PeerAuthentication there protects nothing, and Envoy reaches the ' +
  'agent in plaintext by design (DESIGN, mesh security stance); remove it from the list.';

/** Two objects with one name in one namespace would collide; the list says each namespace once. */
export function duplicateNamespaceRefusal(path: 'mtls.namespaces' | 'exactBalance.namespaces'): string {
  return `${path}: a namespace is listed twice; list each namespace once`;
}

/**
 * Why mode `extensionProvider` needs a workload selector. istiod turns a CUSTOM policy it cannot serve (a
 * provider missing from meshConfig, misspelt, or whose service it cannot find; before Istio 1.30, or without
 * PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS, a second CUSTOM provider on the same workload) into an RBAC
 * deny of the policy's rules (`pilot/pkg/security/authz/builder`: "will generate deny configs"), and
 * `rules: [{}]` matches every request: without a selector, in the root namespace, that is the whole mesh.
 */
export const CUSTOM_POLICY_SELECTOR_REFUSAL =
  'workloadSelector.labels: mode extensionProvider needs a workload selector: a CUSTOM AuthorizationPolicy without one applies to every ' +
  'workload in its namespace (the whole mesh in the root namespace), and istiod denies every request on those workloads when the provider ' +
  'is missing from meshConfig or when another CUSTOM provider (oauth2-proxy, OPA) already serves one of them (before Istio 1.30, or without ' +
  'PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS). Select the workloads Sluice protects, e.g. workloadSelector.labels: {sluice.dev/protected: "true"}.';

/** Why mode `extensionProvider` waits for `extensionProvider.meshConfigReady`. */
export const MESH_CONFIG_UNCONFIRMED_REFUSAL =
  'extensionProvider.meshConfigReady: mode extensionProvider renders a CUSTOM AuthorizationPolicy, and istiod denies every request it selects ' +
  'while the provider is missing from meshConfig (or misspelt, or its service is not found). First add the envoyExtAuthzGrpc and envoyOtelAls ' +
  'entries to meshConfig.extensionProviders (`sluicectl install istioconfig --mesh-config` or istioConfigMeshConfig() prints them), check the ' +
  'agent Service exists, then set extensionProvider.meshConfigReady: true.';

/** Why body buffering needs its own selector (envoyFilter mode). */
export const REQUEST_BODY_SCOPE_REFUSAL =
  'extAuthz.requestBody.workloadSelector.labels: request-body buffering needs a workload selector: buffering holds each request until its ' +
  'body (or maxRequestBytes) arrives, which hangs gRPC client-streaming and bidirectional calls (istio#27777, istio#31773, envoy#42800). ' +
  'Select only workloads whose requests are unary and whose classifiers read the body.';

/** Why body buffering is refused in extensionProvider mode. */
export const REQUEST_BODY_PROVIDER_REFUSAL =
  'extAuthz.requestBody.enabled: in mode extensionProvider the body setting (includeRequestBodyInCheck) belongs to the mesh-wide provider, so it ' +
  'would buffer every workload the provider serves and hang their streaming gRPC calls; use mode envoyFilter, which scopes buffering to ' +
  'extAuthz.requestBody.workloadSelector.';

export const EMPTY_MTLS_NAMESPACES_REFUSAL =
  'mtls.namespaces: mode namespaces needs at least one namespace; use mode mesh for every namespace.';

export const IstioConfigValuesSchema = z
  .object({
    nameOverride: dnsLabel('Replaces the chart name in object names. Unset: the chart name.', 40).optional(),
    fullnameOverride: dnsLabel(
      "Replaces <release>-<chart> in object names. Unset: Helm's fullname rule.",
      40,
    ).optional(),
    mode: z
      .enum(['envoyFilter', 'extensionProvider'])
      .default('envoyFilter')
      .describe(
        "envoyFilter: one EnvoyFilter inserts ext_authz and the OpenTelemetry access log (control points from metadata). extensionProvider: Istio's first-class API (mesh extensionProviders, AuthorizationPolicy CUSTOM, Telemetry); the agent's default control point applies.",
      ),
    meshRootNamespace: dnsLabel(
      'Istio root namespace: mesh-wide PeerAuthentication, ProxyConfig and CUSTOM policy live here.',
    ).default('istio-system'),
    agent: z
      .object({
        release: dnsLabel(
          'Release of the sluice chart whose agent Envoy dials; the Service is <fullname>-agent.',
          53,
        ).default('sluice'),
        namespace: dnsLabel('Namespace of that release.').default('sluice-system'),
        service: dnsLabel(
          "Agent Service name. Unset: derived from agent.release by Helm's fullname rule (release sluice gives sluice-agent).",
        ).optional(),
        port: portSchema(8080, 'Agent gRPC port (ext_authz Check and OTLP access logs).'),
        clusterDomain: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/)
          .max(253)
          .default('cluster.local')
          .describe('Cluster DNS domain.'),
      })
      .strict()
      .prefault({})
      .describe('Where the node agent runs.'),
    sidecarMode: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Dial localhost:<port>, for pods that carry the agent as a sidecar (agentSidecarContainer).',
          ),
        port: portSchema(
          18080,
          "The sidecar agent's gRPC port; pick one the application does not use (the sidecar's ports.grpc).",
        ),
      })
      .strict()
      .prefault({})
      .describe('Agent inside the application pod instead of the node agent.'),
    workloadSelector: z
      .object({
        labels: z
          .record(labelKey, labelValue)
          .default({})
          .describe('Pod labels the filters apply to. Empty: every workload in scope of the namespace.'),
      })
      .strict()
      .prefault({})
      .describe('EnvoyFilter / AuthorizationPolicy workload selector.'),
    priority: z
      .number()
      .int()
      .min(-1000)
      .max(1000)
      .default(10)
      .describe(
        'EnvoyFilter priority; positive applies after default-priority filters, so ext_authz lands right before the router.',
      ),
    controlPoints: z
      .object({
        inbound: controlPoint('ingress', 'control-point metadata for requests a sidecar receives.'),
        outbound: controlPoint('egress', 'control-point metadata for requests a sidecar sends.'),
        gateway: controlPoint('gateway', 'control-point metadata at ingress gateways (gateways.enabled).'),
      })
      .strict()
      .prefault({})
      .describe('Control-point names sent to the agent as gRPC initial metadata.'),
    extAuthz: z
      .object({
        timeout: envoySeconds(
          '0.25s',
          'gRPC deadline of each Check; the agent answers before it (queue timeout = deadline - margin).',
        ),
        failureModeAllow: z
          .boolean()
          .default(true)
          .describe('Admit requests when the agent is unreachable or errs (fail open).'),
        failureModeAllowHeaderAdd: z
          .boolean()
          .default(true)
          .describe('Mark fail-open requests with x-envoy-auth-failure-mode-allowed.'),
        statusOnError: z
          .enum([
            'Forbidden',
            'TooManyRequests',
            'InternalServerError',
            'BadGateway',
            'ServiceUnavailable',
            'GatewayTimeout',
          ])
          .default('ServiceUnavailable')
          .describe(
            'HTTP status when the Check fails and failureModeAllow is false (Envoy HttpStatus name).',
          ),
        requestBody: z
          .object({
            enabled: z
              .boolean()
              .default(false)
              .describe(
                'Buffer the request body into the Check (classifiers on JSON bodies), only for workloadSelector below. Off by default: buffering hangs gRPC client-streaming and bidirectional calls (istio#27777, envoy#42800).',
              ),
            workloadSelector: z
              .object({
                labels: z
                  .record(labelKey, labelValue)
                  .default({})
                  .describe(
                    'Pods whose inbound and outbound requests are buffered (a separate EnvoyFilter). Required when enabled; select no pod that serves or calls streaming gRPC.',
                  ),
              })
              .strict()
              .prefault({})
              .describe('Where request bodies are buffered.'),
            maxRequestBytes: z.number().int().min(1).max(1_048_576).default(8192).describe('Bytes buffered.'),
            allowPartialMessage: z
              .boolean()
              .default(true)
              .describe('Send the first maxRequestBytes instead of answering 413.'),
            packAsBytes: z.boolean().default(false).describe('Send the body as raw bytes.'),
          })
          .strict()
          .prefault({})
          .describe('with_request_body.'),
        sendCredentialHeaders: z
          .boolean()
          .default(false)
          .describe(
            'Send credentialHeaders to the agent. Off: they are matched by disallowed_headers and never leave the sidecar.',
          ),
        credentialHeaders: z
          .array(headerName)
          .default(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key'])
          .describe('Headers that carry credentials.'),
        allowedHeaders: z
          .array(headerName)
          .default([])
          .describe(
            'Only these headers are sent (allowed_headers). Empty: every header except withheld credentials.',
          ),
        keepaliveTimeMs: z
          .number()
          .int()
          .min(1000)
          .max(3_600_000)
          .default(30_000)
          .describe('gRPC keepalive ping interval on the sidecar-agent channel.'),
        keepaliveTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .max(600_000)
          .default(10_000)
          .describe('Wait for a keepalive ack before the channel is dropped.'),
      })
      .strict()
      .prefault({})
      .describe('Envoy ext_authz filter.'),
    accessLog: z
      .object({
        bufferFlushInterval: envoySeconds(
          '1s',
          "Batch period of the OpenTelemetry access log (Envoy's default).",
        ),
        bufferSizeBytes: z
          .number()
          .int()
          .min(1024)
          .max(1_048_576)
          .default(16384)
          .describe("Batch size that forces a flush (Envoy's default)."),
      })
      .strict()
      .prefault({})
      .describe('OpenTelemetry access log to the agent.'),
    gateways: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('Also patch ingress gateways (context GATEWAY), in an EnvoyFilter of their own.'),
        workloadSelector: z
          .object({
            labels: z
              .record(labelKey, labelValue)
              .default({})
              .describe(
                "Gateway pods to patch. Empty: istio: ingressgateway, the label of Istio's ingress gateway chart (context GATEWAY alone matches every gateway proxy, egress and east-west too, so the filter always has a selector). A map rather than a map default, because Helm merges a user's map into the default one.",
              ),
          })
          .strict()
          .prefault({})
          .describe('Which gateways get ext_authz and access logs.'),
      })
      .strict()
      .prefault({})
      .describe('Ingress gateways.'),
    extensionProvider: z
      .object({
        authzName: dnsLabel(
          'Name of the envoyExtAuthzGrpc provider in meshConfig.extensionProviders.',
        ).default('sluice-ext-authz'),
        accessLogName: dnsLabel('Name of the envoyOtelAls provider.').default('sluice-access-log'),
        meshConfigReady: z
          .boolean()
          .default(false)
          .describe(
            "Confirms that istiod's meshConfig.extensionProviders holds both providers and that the agent Service exists. Mode extensionProvider is refused until it is true: istiod denies every request a CUSTOM policy selects when its provider is missing.",
          ),
      })
      .strict()
      .prefault({})
      .describe('Names used in mode extensionProvider.'),
    mtls: z
      .object({
        mode: z
          .enum(['off', 'mesh', 'namespaces'])
          .default('off')
          .describe(
            'off: no PeerAuthentication. mesh: STRICT in the root namespace. namespaces: STRICT in each listed namespace.',
          ),
        namespaces: z.array(dnsLabel('Namespace.')).default([]).describe('Namespaces for mode namespaces.'),
      })
      .strict()
      .prefault({})
      .describe(
        'PeerAuthentication STRICT (security.istio.io/v1). The agent namespace stays outside the mesh.',
      ),
    exactBalance: z
      .object({
        inbound: z
          .enum(['off', 'proxyMetadata', 'envoyFilter'])
          .default('off')
          .describe(
            'proxyMetadata: ISTIO_META_INBOUND_LISTENER_EXACT_BALANCE via ProxyConfig. envoyFilter: LISTENER MERGE on virtualInbound (older Istio).',
          ),
        outbound: z
          .enum(['off', 'proxyMetadata', 'virtualOutbound'])
          .default('off')
          .describe(
            'proxyMetadata: ISTIO_META_OUTBOUND_LISTENER_EXACT_BALANCE. virtualOutbound is refused (envoy#15146, envoy#21575).',
          ),
        gateways: z
          .boolean()
          .default(false)
          .describe(
            'Let exact balance reach ingress gateways: the GATEWAY listener patch (inbound envoyFilter) and, with namespaces empty, a mesh-wide ProxyConfig.',
          ),
        namespaces: z
          .array(dnsLabel('Namespace.'))
          .default([])
          .describe(
            'Namespaces that get a ProxyConfig. Empty: the root namespace (with outbound balance or a worker count, needs gateways: true). Outbound balance is refused in namespaces that host a gateway.',
          ),
        concurrency: z
          .number()
          .int()
          .min(1)
          .max(64)
          .optional()
          .describe('Envoy worker threads (ProxyConfig concurrency). Unset: Istio decides.'),
      })
      .strict()
      .prefault({})
      .describe('Exact connection balance across Envoy workers.'),
  })
  .strict()
  .superRefine((values, context) => {
    const { exactBalance, mtls, extAuthz } = values;
    const selects = (labels: Record<string, string>) => Object.keys(labels).length > 0;
    if (values.mode === 'extensionProvider' && !selects(values.workloadSelector.labels)) {
      context.addIssue({
        code: 'custom',
        path: ['workloadSelector', 'labels'],
        message: CUSTOM_POLICY_SELECTOR_REFUSAL,
      });
    }
    if (values.mode === 'extensionProvider' && !values.extensionProvider.meshConfigReady) {
      context.addIssue({
        code: 'custom',
        path: ['extensionProvider', 'meshConfigReady'],
        message: MESH_CONFIG_UNCONFIRMED_REFUSAL,
      });
    }
    if (extAuthz.requestBody.enabled && values.mode === 'extensionProvider') {
      context.addIssue({
        code: 'custom',
        path: ['extAuthz', 'requestBody', 'enabled'],
        message: REQUEST_BODY_PROVIDER_REFUSAL,
      });
    } else if (extAuthz.requestBody.enabled && !selects(extAuthz.requestBody.workloadSelector.labels)) {
      context.addIssue({
        code: 'custom',
        path: ['extAuthz', 'requestBody', 'workloadSelector', 'labels'],
        message: REQUEST_BODY_SCOPE_REFUSAL,
      });
    }
    if (exactBalance.outbound === 'virtualOutbound') {
      context.addIssue({
        code: 'custom',
        path: ['exactBalance', 'outbound'],
        message: VIRTUAL_OUTBOUND_REFUSAL,
      });
    }
    const reachesGateways =
      exactBalance.outbound === 'proxyMetadata' || exactBalance.concurrency !== undefined;
    if (reachesGateways && exactBalance.namespaces.length === 0 && !exactBalance.gateways) {
      context.addIssue({
        code: 'custom',
        path: ['exactBalance', 'namespaces'],
        message: GATEWAY_WIDE_EXACT_BALANCE_REFUSAL,
      });
    }
    if (new Set(mtls.namespaces).size !== mtls.namespaces.length) {
      context.addIssue({
        code: 'custom',
        path: ['mtls', 'namespaces'],
        message: duplicateNamespaceRefusal('mtls.namespaces'),
      });
    }
    if (new Set(exactBalance.namespaces).size !== exactBalance.namespaces.length) {
      context.addIssue({
        code: 'custom',
        path: ['exactBalance', 'namespaces'],
        message: duplicateNamespaceRefusal('exactBalance.namespaces'),
      });
    }
    if (mtls.mode === 'namespaces' && mtls.namespaces.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['mtls', 'namespaces'],
        message: EMPTY_MTLS_NAMESPACES_REFUSAL,
      });
    }
    if (mtls.mode === 'namespaces' && mtls.namespaces.includes(values.agent.namespace)) {
      context.addIssue({
        code: 'custom',
        path: ['mtls', 'namespaces'],
        message: AGENT_NAMESPACE_MTLS_REFUSAL,
      });
    }
  });

export type IstioConfigValues = z.output<typeof IstioConfigValuesSchema>;
export type IstioConfigValuesInput = z.input<typeof IstioConfigValuesSchema>;
