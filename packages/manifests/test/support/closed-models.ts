import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Closed-object validation of Istio, cert-manager and Gateway API objects. The `@kubernetes-models` runtime
 * validators accept unknown keys, but their TypeScript interfaces do not: an object literal assigned to an
 * interface fails on any excess property at any depth. So every object is written out as a literal typed by
 * its model interface, and the TypeScript compiler checks the file in memory.
 */

/** `apiVersion/kind` → module and interface of its model. */
const MODELS: Readonly<Record<string, readonly [string, string]>> = {
  'networking.istio.io/v1alpha3/EnvoyFilter': [
    '@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter',
    'IEnvoyFilter',
  ],
  'networking.istio.io/v1beta1/ProxyConfig': [
    '@kubernetes-models/istio/networking.istio.io/v1beta1/ProxyConfig',
    'IProxyConfig',
  ],
  'networking.istio.io/v1/Gateway': ['@kubernetes-models/istio/networking.istio.io/v1/Gateway', 'IGateway'],
  'networking.istio.io/v1/VirtualService': [
    '@kubernetes-models/istio/networking.istio.io/v1/VirtualService',
    'IVirtualService',
  ],
  'security.istio.io/v1/PeerAuthentication': [
    '@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication',
    'IPeerAuthentication',
  ],
  'security.istio.io/v1/AuthorizationPolicy': [
    '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy',
    'IAuthorizationPolicy',
  ],
  'telemetry.istio.io/v1/Telemetry': [
    '@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry',
    'ITelemetry',
  ],
  'cert-manager.io/v1/Certificate': [
    '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate',
    'ICertificate',
  ],
  'cert-manager.io/v1/ClusterIssuer': [
    '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer',
    'IClusterIssuer',
  ],
  'gateway.networking.k8s.io/v1/Gateway': [
    '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway',
    'IGateway',
  ],
  'gateway.networking.k8s.io/v1/HTTPRoute': [
    '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute',
    'IHTTPRoute',
  ],
  'monitoring.coreos.com/v1/ServiceMonitor': [
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    'IServiceMonitor',
  ],
  'monitoring.coreos.com/v1/PrometheusRule': [
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule',
    'IPrometheusRule',
  ],
  'argoproj.io/v1alpha1/Application': ['@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application', 'IApplication'],
  'source.toolkit.fluxcd.io/v1/GitRepository': [
    '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository',
    'IGitRepository',
  ],
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': [
    '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization',
    'IKustomization',
  ],
  'helm.toolkit.fluxcd.io/v2/HelmRelease': ['@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease', 'IHelmRelease'],
};

export const CLOSED_MODEL_KINDS: readonly string[] = Object.keys(MODELS);

/**
 * The models' runtime validators, which check what the interfaces cannot (patterns, required fields).
 * Returns one message per invalid object.
 */
export async function runtimeModelErrors(objects: readonly KubeObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const [index, object] of objects.entries()) {
    const model = MODELS[`${object.apiVersion}/${object.kind}`];
    if (model === undefined) throw new Error(`no closed model for ${object.apiVersion}/${object.kind}`);
    const module = (await import(model[0])) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = module[model[1].slice(1)];
    if (Model === undefined) throw new Error(`${model[0]} has no ${model[1].slice(1)}`);
    try {
      new Model(object).validate();
    } catch (error) {
      errors.push(`object ${index} (${object.kind}): ${(error as Error).message}`);
    }
  }
  return errors;
}

interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
}

/** A file next to this one, so module resolution finds the workspace's node_modules. */
const VIRTUAL_FILE = join(dirname(fileURLToPath(import.meta.url)), '__closed_models_check__.ts');

/**
 * Type-checks every object against its model interface. Returns one message per problem (excess property,
 * wrong type, bad enum word), naming the object index; an empty list means every object is closed-valid.
 * Throws for a kind without a model, so nothing is skipped silently.
 */
export function closedModelErrors(objects: readonly KubeObject[]): string[] {
  const imports = new Map<string, string>();
  const lines: string[] = [];
  objects.forEach((object, index) => {
    const key = `${object.apiVersion}/${object.kind}`;
    const model = MODELS[key];
    if (model === undefined)
      throw new Error(`no closed model for ${key}; add it to test/support/closed-models.ts`);
    const alias = `M${[...imports.keys()].indexOf(key) === -1 ? imports.size : [...imports.keys()].indexOf(key)}`;
    if (!imports.has(key)) imports.set(key, `import type { ${model[1]} as ${alias} } from '${model[0]}';`);
    // One object per line, so a diagnostic's line number names the object.
    lines.push(`export const object${index}: ${alias} = ${JSON.stringify(object)};`);
  });
  const header = [...imports.values()];
  const source = [...header, ...lines].join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language) =>
    fileName === VIRTUAL_FILE
      ? ts.createSourceFile(fileName, source, language)
      : getSourceFile(fileName, language);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === VIRTUAL_FILE || fileExists(fileName);
  const program = ts.createProgram([VIRTUAL_FILE], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (diagnostic.file === undefined || diagnostic.start === undefined) return text;
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line - header.length;
    const object = objects[line];
    return object === undefined ? text : `object ${line} (${object.kind}): ${text}`;
  });
}
