import { stringify as stringifyYaml } from 'yaml';
import { and, eq, type Expr, not, or } from '../../template/expr.js';
import {
  GATEWAY_WIDE_EXACT_BALANCE_REFUSAL,
  type IstioConfigValues,
  VIRTUAL_OUTBOUND_REFUSAL,
} from '@sluice/spec';
import { type Tree, type TreeObject, when } from '../../template/template-tree.js';
import type { View } from '../../template/values-view.js';
import { refuseWhen } from '../../template/chart-guards.js';

/**
 * Exact connection balance across Envoy's worker threads (peers.md §4). Without it the kernel spreads
 * accepts, and a few long-lived mesh connections can pin one worker while the others idle.
 *
 * - proxyMetadata: Istio's only supported knob, `ISTIO_META_INBOUND_LISTENER_EXACT_BALANCE` /
 *   `ISTIO_META_OUTBOUND_LISTENER_EXACT_BALANCE` (the `ISTIO_META_` prefix is required, istio#42374), set
 *   through a ProxyConfig's environment variables or a pod's `proxy.istio.io/config` annotation;
 * - envoyFilter (inbound only, for older Istio): a LISTENER MERGE of `connection_balance_config` on
 *   virtualInbound;
 * - virtualOutbound is never patched: see `VIRTUAL_OUTBOUND_REFUSAL`.
 */

export const INBOUND_EXACT_BALANCE_VARIABLE = 'ISTIO_META_INBOUND_LISTENER_EXACT_BALANCE';
export const OUTBOUND_EXACT_BALANCE_VARIABLE = 'ISTIO_META_OUTBOUND_LISTENER_EXACT_BALANCE';

const EXACT_BALANCE_VALUE = { connection_balance_config: { exact_balance: {} } } as const;

/** Whether the values need ProxyConfig objects (metadata variables or a worker count). */
export function needsProxyConfig(values: View<IstioConfigValues>): Expr<unknown> {
  const balance = values.exactBalance;
  // not(not(x)) makes an unset concurrency a plain false: `and`/`or` then only ever see booleans.
  return or(
    eq(balance.inbound.$, 'proxyMetadata'),
    eq(balance.outbound.$, 'proxyMetadata'),
    not(not(balance.concurrency.$)),
  );
}

/** The inbound LISTENER patch on virtualInbound, and the GATEWAY twin only when asked. */
export function exactBalanceConfigPatches(values: View<IstioConfigValues>): Tree[] {
  const patch = { operation: 'MERGE', value: EXACT_BALANCE_VALUE };
  return [
    {
      applyTo: 'LISTENER',
      match: { context: 'SIDECAR_INBOUND', listener: { name: 'virtualInbound' } },
      patch,
    },
    when(values.exactBalance.gateways.$, { applyTo: 'LISTENER', match: { context: 'GATEWAY' }, patch }),
  ];
}

/** A ProxyConfig spec: the metadata variables the values ask for, and the worker count. */
export function proxyConfigSpec(values: View<IstioConfigValues>): TreeObject {
  const balance = values.exactBalance;
  const inbound = eq(balance.inbound.$, 'proxyMetadata');
  const outbound = eq(balance.outbound.$, 'proxyMetadata');
  return {
    concurrency: when(balance.concurrency.$, balance.concurrency.$),
    environmentVariables: when(or(inbound, outbound), {
      [INBOUND_EXACT_BALANCE_VARIABLE]: when(inbound, 'true'),
      [OUTBOUND_EXACT_BALANCE_VARIABLE]: when(outbound, 'true'),
    }),
  };
}

/** Guards for the chart (synthesis refuses the same values through the zod schema). */
export function exactBalanceGuards(values: View<IstioConfigValues>): TreeObject {
  const balance = values.exactBalance;
  return {
    refuseVirtualOutbound: refuseWhen(eq(balance.outbound.$, 'virtualOutbound'), VIRTUAL_OUTBOUND_REFUSAL),
    refuseGatewayWide: refuseWhen(
      and(
        or(eq(balance.outbound.$, 'proxyMetadata'), not(not(balance.concurrency.$))),
        not(balance.namespaces.$),
        not(balance.gateways.$),
      ),
      GATEWAY_WIDE_EXACT_BALANCE_REFUSAL,
    ),
  };
}

export interface ExactBalanceAnnotationOptions {
  readonly inbound?: boolean;
  readonly outbound?: boolean;
  /** Envoy worker threads. @default unset (Istio decides) */
  readonly concurrency?: number;
}

/**
 * The pod-annotation form, for workloads that should balance without a ProxyConfig: put the result on the
 * pod template's annotations. Throws when nothing is asked, because an empty annotation would hide a mistake.
 */
export function exactBalancePodAnnotations(options: ExactBalanceAnnotationOptions): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (options.inbound === true) metadata[INBOUND_EXACT_BALANCE_VARIABLE] = 'true';
  if (options.outbound === true) metadata[OUTBOUND_EXACT_BALANCE_VARIABLE] = 'true';
  const config: Record<string, unknown> = {};
  if (options.concurrency !== undefined) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 64) {
      throw new Error(
        `exactBalancePodAnnotations: concurrency ${options.concurrency} is not allowed; use an integer from 1 to 64`,
      );
    }
    config.concurrency = options.concurrency;
  }
  if (Object.keys(metadata).length > 0) config.proxyMetadata = metadata;
  if (Object.keys(config).length === 0)
    throw new Error('exactBalancePodAnnotations: set inbound, outbound or concurrency');
  return { 'proxy.istio.io/config': stringifyYaml(config, { version: '1.1', lineWidth: 0 }) };
}
