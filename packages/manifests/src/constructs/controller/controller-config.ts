import { concat, type Expr, not, sha256, toJson } from '../../template/expr.js';
import type { HelmNames } from '../../template/helm-names.js';
import { textLines, type Tree, type TreeObject, when } from '../../template/template-tree.js';
import {
  API_TOKEN_SECRET_COMPONENT,
  type ControllerParts,
  RECORD_KEY_SECRET_COMPONENT,
} from './controller-binding.js';

export const CONTROLLER_CONFIG_FILE = 'controller.yaml';

/** The Service's DNS names the API answers (its Host check refuses any other name). */
function apiHostNames(name: Expr<string>, namespace: Expr<string>): Expr<string>[] {
  return [
    name,
    concat(name, '.', namespace),
    concat(name, '.', namespace, '.svc'),
    concat(name, '.', namespace, '.svc.cluster.local'),
  ];
}

/** The agents' service account, `<namespace>/<fullname>-agent`: the one TokenReview principal admitted. */
function agentServiceAccount(names: HelmNames, namespace: Expr<string>): Expr<string> {
  return concat(namespace, '/', names.component('agent'));
}

/** The controller's config file, keyed as the controller config schema in `@sluice/spec` expects. */
function controllerConfigFile({ binding, name, createsApiToken }: ControllerParts): Tree {
  const { values, names, namespace } = binding;
  const hosts = apiHostNames(name, namespace);
  return textLines(
    concat('grpcPort: ', toJson(values.ports.grpc.$)),
    concat('httpPort: ', toJson(values.ports.http.$)),
    concat('apiPort: ', toJson(values.ports.api.$)),
    // In a cluster the controller reads FlowPolicy resources of its own namespace, the only ones its Role covers.
    'kubernetes: true',
    concat('namespace: ', toJson(namespace)),
    concat('logLevel: ', toJson(values.logLevel.$)),
    // Agents present their projected service-account token; TokenReview says which pod sent it.
    'agentAuth: "kubernetes"',
    concat('agentServiceAccount: ', toJson(agentServiceAccount(names, namespace))),
    // Created at run time when absent, never rendered: a rendered random value would change every render.
    when(createsApiToken, concat('apiTokenSecret: ', toJson(names.component(API_TOKEN_SECRET_COMPONENT)))),
    when(
      binding.createsRecordKey,
      concat('recordKeySecret: ', toJson(names.component(RECORD_KEY_SECRET_COMPONENT))),
    ),
    concat(
      'apiAllowedHosts: [',
      ...hosts.flatMap((host, index) => (index === 0 ? [toJson(host)] : [', ', toJson(host)])),
      ']',
    ),
  );
}

export function controllerConfigMap(parts: ControllerParts): TreeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: parts.metadata,
    data: { [CONTROLLER_CONFIG_FILE]: controllerConfigFile(parts) },
  };
}

/** A config change must roll the pod; the digest covers every input of the config file. */
export function controllerConfigChecksum({ binding }: ControllerParts): Expr<string> {
  return sha256(
    concat(
      toJson(binding.values.$),
      toJson(binding.namespace),
      // Whether it creates the agents' record key (the agent values decide).
      toJson(not(binding.createsRecordKey)),
    ),
  );
}
