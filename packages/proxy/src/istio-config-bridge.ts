/**
 * Builds a proxy config from the `istioconfig` chart values, so the proxy runs with exactly the
 * ext_authz and access-log settings the chart writes into the EnvoyFilter (packages/manifests
 * `ext-authz-envoy-filter.ts`): timeout, failure mode, status on error, body buffering, credential
 * withholding (as `disallowed_headers`, which beats `allowed_headers`), control point and log name per
 * listener direction, batching.
 *
 * Takes the parsed values structurally (the fields below of `IstioConfigValues` from `@sluice/spec`),
 * so any object the spec schema produced fits.
 */
import { envoyStatusCodeOf } from './authz-client.js';
import { parseProxyConfig, type ProxyConfig } from './proxy-config.js';

/** The fields of `IstioConfigValues` (spec `values/istio-config-values.ts`) the proxy reads. */
export interface IstioConfigValuesForProxy {
  readonly agent: {
    readonly release: string;
    readonly namespace: string;
    readonly service?: string | undefined;
    readonly port: number;
    readonly clusterDomain: string;
  };
  readonly sidecarMode: { readonly enabled: boolean; readonly port: number };
  readonly controlPoints: { readonly inbound: string; readonly outbound: string; readonly gateway: string };
  readonly extAuthz: {
    readonly timeout: string;
    readonly failureModeAllow: boolean;
    readonly failureModeAllowHeaderAdd: boolean;
    readonly statusOnError: string;
    readonly requestBody: {
      readonly enabled: boolean;
      readonly maxRequestBytes: number;
      readonly allowPartialMessage: boolean;
      readonly packAsBytes: boolean;
    };
    readonly sendCredentialHeaders: boolean;
    readonly credentialHeaders: readonly string[];
    readonly allowedHeaders: readonly string[];
  };
  readonly accessLog: { readonly bufferFlushInterval: string; readonly bufferSizeBytes: number };
}

/** Which listener the proxy stands in for; picks the control point and log name as the chart does. */
export type ListenerContext = 'inbound' | 'outbound' | 'gateway';

const LOG_NAMES: Readonly<Record<ListenerContext, string>> = {
  inbound: 'ingress',
  outbound: 'egress',
  gateway: 'gateway',
};

export interface FromIstioValuesOptions {
  readonly context: ListenerContext;
  readonly upstream: { readonly host?: string; readonly port: number };
  /** @default {host: '127.0.0.1', port: 0} */
  readonly listen?: { readonly host?: string; readonly port?: number };
  /** Agent `host:port`; local runs set it. @default the in-cluster target the chart derives */
  readonly agentTarget?: string;
  /** Send access logs to the agent. @default true */
  readonly accessLog?: boolean;
}

/** Envoy Duration seconds (`0.25s`) → ms. */
function envoySecondsToMs(value: string, path: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)s$/.exec(value);
  if (match?.[1] === undefined) throw new Error(`${path}: "${value}" is not an Envoy Duration such as 0.25s`);
  return Math.round(Number(match[1]) * 1000);
}

/** The agent target the chart writes: `localhost:<port>` in sidecar mode, else the Service's cluster DNS name. */
export function istioAgentTarget(values: IstioConfigValuesForProxy): string {
  if (values.sidecarMode.enabled) return `localhost:${values.sidecarMode.port}`;
  // Helm's fullname rule for the `sluice` chart: a release containing "sluice" is used as is.
  const fullname = values.agent.release.includes('sluice')
    ? values.agent.release
    : `${values.agent.release}-sluice`;
  const service =
    values.agent.service ??
    `${fullname.slice(0, 63).replace(/-+$/, '')}-agent`.slice(0, 63).replace(/-+$/, '');
  return `${service}.${values.agent.namespace}.svc.${values.agent.clusterDomain}:${values.agent.port}`;
}

/** @throws SpecValidationError / Error when the values cannot make a valid proxy config. */
export function proxyConfigFromIstioValues(
  values: IstioConfigValuesForProxy,
  options: FromIstioValuesOptions,
): ProxyConfig {
  const authz = values.extAuthz;
  const target = options.agentTarget ?? istioAgentTarget(values);
  const statusOnError = envoyStatusCodeOf(authz.statusOnError);
  if (statusOnError === undefined)
    throw new Error(`extAuthz.statusOnError: "${authz.statusOnError}" is not an Envoy StatusCode name`);
  return parseProxyConfig(
    {
      listen: { host: options.listen?.host ?? '127.0.0.1', port: options.listen?.port ?? 0 },
      upstream: { host: options.upstream.host ?? '127.0.0.1', port: options.upstream.port },
      extAuthz: {
        target,
        timeoutMs: envoySecondsToMs(authz.timeout, 'extAuthz.timeout'),
        failureModeAllow: authz.failureModeAllow,
        failureModeAllowHeaderAdd: authz.failureModeAllowHeaderAdd,
        statusOnError,
        withRequestBody: authz.requestBody.enabled
          ? {
              maxRequestBytes: authz.requestBody.maxRequestBytes,
              allowPartialMessage: authz.requestBody.allowPartialMessage,
              packAsBytes: authz.requestBody.packAsBytes,
            }
          : null,
        allowedHeaders: authz.allowedHeaders.length === 0 ? undefined : [...authz.allowedHeaders],
        // The chart withholds credentials with disallowed_headers, which wins over allowed_headers.
        disallowedHeaders: authz.sendCredentialHeaders ? [] : [...authz.credentialHeaders],
        credentialHeaders: [],
        controlPoint: values.controlPoints[options.context],
      },
      accessLog:
        options.accessLog === false
          ? null
          : {
              target,
              logName: LOG_NAMES[options.context],
              bufferFlushIntervalMs: envoySecondsToMs(
                values.accessLog.bufferFlushInterval,
                'accessLog.bufferFlushInterval',
              ),
              bufferSizeBytes: values.accessLog.bufferSizeBytes,
            },
    },
    'proxy configuration from istioconfig values',
  );
}
