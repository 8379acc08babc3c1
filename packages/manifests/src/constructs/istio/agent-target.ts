import {
  concat,
  contains,
  defaultTo,
  type Expr,
  include,
  ternary,
  trimSuffix,
  truncate,
} from '../../template/expr.js';
import type { IstioConfigValues } from '@sluice/spec';
import type { View } from '../../template/values-view.js';
import { DNS_LABEL_MAX } from '../../template/helm-names.js';

/**
 * The agent Service another chart's release creates: the `sluice` chart's fullname rule applied to
 * `agent.release` (release `sluice` gives `sluice-agent`, release `edge` gives `edge-sluice-agent`), so
 * istioconfig follows the agent without anyone copying a Service name by hand.
 */
export function agentServiceName(values: View<IstioConfigValues>): Expr<string> {
  const release = values.agent.release.$;
  const fullname = trimSuffix(
    truncate(ternary(contains('sluice', release), release, concat(release, '-sluice')), DNS_LABEL_MAX),
    '-',
  );
  // As HelmNames.component: the fullname is cut first so the `-agent` suffix always survives.
  const derived = concat(trimSuffix(truncate(fullname, DNS_LABEL_MAX - '-agent'.length), '-'), '-agent');
  return include('istioconfig.agentService', defaultTo(values.agent.service.$, derived));
}

/** `<service>.<namespace>.svc.<domain>`, the agent's cluster DNS name. */
export function agentHost(values: View<IstioConfigValues>): Expr<string> {
  return include(
    'istioconfig.agentHost',
    concat(agentServiceName(values), '.', values.agent.namespace.$, '.svc.', values.agent.clusterDomain.$),
  );
}

/**
 * The `google_grpc` target Envoy dials for ext_authz and for the access log: the node agent's Service, or
 * `localhost:<sidecarMode.port>` when the agent runs inside the pod (sidecarMode).
 */
export function agentTarget(values: View<IstioConfigValues>): Expr<string> {
  return include(
    'istioconfig.agentTarget',
    ternary(
      values.sidecarMode.enabled.$,
      concat('localhost:', values.sidecarMode.port.$),
      concat(agentHost(values), ':', values.agent.port.$),
    ),
  );
}
