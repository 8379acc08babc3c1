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
  'argoproj.io/v1alpha1/Application': [
    '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application',
    'IApplication',
  ],
  'source.toolkit.fluxcd.io/v1/GitRepository': [
    '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository',
    'IGitRepository',
  ],
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': [
    '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization',
    'IKustomization',
  ],
  'helm.toolkit.fluxcd.io/v2/HelmRelease': [
    '@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease',
    'IHelmRelease',
  ],
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
 * Type-checks each case's object, as a literal, against the interface `models[case.model]` names. Returns the
 * diagnostics per case, in case order; an empty list means that object is valid and closed. Throws for a
 * model key without an entry, so nothing is skipped silently. One program checks every case, so the model
 * declarations load once.
 */
export function typeProblemsFor(
  cases: readonly { readonly model: string; readonly object: unknown }[],
  models: Readonly<Record<string, readonly [string, string]>> = MODELS,
): string[][] {
  const imports = new Map<string, string>();
  const lines: string[] = [];
  cases.forEach(({ model: key, object }, index) => {
    const model = models[key];
    if (model === undefined)
      throw new Error(`no closed model for ${key}; add it to test/support/closed-models.ts`);
    if (!imports.has(key))
      imports.set(key, `import type { ${model[1]} as M${imports.size} } from '${model[0]}';`);
    const alias = `M${[...imports.keys()].indexOf(key)}`;
    // One object per line, so a diagnostic's line number names the case.
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
  const problems: string[][] = cases.map(() => []);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (diagnostic.file === undefined || diagnostic.start === undefined)
      throw new Error(`TypeScript: ${text}`);
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line - header.length;
    const bucket = problems[line];
    if (bucket === undefined) throw new Error(`TypeScript diagnostic outside any case: ${text}`);
    bucket.push(text);
  }
  return problems;
}

/**
 * Type-checks every object against the model its apiVersion and kind name. Returns one message per problem
 * (excess property, wrong type, bad enum word), naming the object index; an empty list means every object
 * is closed-valid.
 */
export function closedModelErrors(objects: readonly KubeObject[]): string[] {
  const problems = typeProblemsFor(
    objects.map((object) => ({ model: `${object.apiVersion}/${object.kind}`, object })),
  );
  return problems.flatMap((list, index) =>
    list.map((text) => `object ${index} (${objects[index]?.kind}): ${text}`),
  );
}
