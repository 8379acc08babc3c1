import { createRequire } from 'node:module';
import ts from 'typescript';
import { typeProblemsFor } from './closed-models.js';

/**
 * Closed-object validation against `kubernetes-models`. Its runtime validators check types, enums and
 * required fields but accept unknown keys; its TypeScript interfaces do not, through excess-property
 * checks on object literals. So each object is checked twice: the model's `validate()` at runtime, and a
 * generated TypeScript file that assigns the object, as a literal, to the model's interface.
 */

/** Where each kind's model lives: module path (relative to kubernetes-models) and class / interface names. */
export const MODELS: Readonly<Record<string, { readonly module: string; readonly type: string }>> = {
  'v1/ServiceAccount': { module: 'v1/ServiceAccount', type: 'IServiceAccount' },
  'v1/ConfigMap': { module: 'v1/ConfigMap', type: 'IConfigMap' },
  'v1/Service': { module: 'v1/Service', type: 'IService' },
  'v1/ResourceQuota': { module: 'v1/ResourceQuota', type: 'IResourceQuota' },
  'v1/Container': { module: 'v1/Container', type: 'IContainer' },
  'apps/v1/DaemonSet': { module: 'apps/v1/DaemonSet', type: 'IDaemonSet' },
  'apps/v1/Deployment': { module: 'apps/v1/Deployment', type: 'IDeployment' },
  'rbac.authorization.k8s.io/v1/Role': { module: 'rbac.authorization.k8s.io/v1/Role', type: 'IRole' },
  'rbac.authorization.k8s.io/v1/RoleBinding': {
    module: 'rbac.authorization.k8s.io/v1/RoleBinding',
    type: 'IRoleBinding',
  },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    module: 'rbac.authorization.k8s.io/v1/ClusterRole',
    type: 'IClusterRole',
  },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    module: 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
    type: 'IClusterRoleBinding',
  },
  'policy/v1/PodDisruptionBudget': { module: 'policy/v1/PodDisruptionBudget', type: 'IPodDisruptionBudget' },
  'networking.k8s.io/v1/NetworkPolicy': {
    module: 'networking.k8s.io/v1/NetworkPolicy',
    type: 'INetworkPolicy',
  },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': {
    module: 'apiextensions.k8s.io/v1/CustomResourceDefinition',
    type: 'ICustomResourceDefinition',
  },
};

export function modelKey(object: { apiVersion?: unknown; kind?: unknown }): string {
  return `${String(object.apiVersion)}/${String(object.kind)}`;
}

const require = createRequire(import.meta.url);

/** Runs the model's runtime validator; returns its error message, or undefined when valid. */
export function runtimeProblem(key: string, object: unknown): string | undefined {
  const model = MODELS[key];
  if (model === undefined) throw new Error(`no model for ${key}`);
  const className = model.type.slice(1);
  const module = require(`kubernetes-models/${model.module}`) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = module[className];
  if (Model === undefined) throw new Error(`kubernetes-models/${model.module} has no ${className}`);
  try {
    new Model(object).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export interface ClosedCheckCase {
  readonly label: string;
  readonly model: string;
  readonly object: unknown;
}

/**
 * Type-checks every case (see `typeProblemsFor` in closed-models.ts, which does the work for every
 * model package); returns each case's diagnostics in case order.
 */
export function typeProblems(cases: readonly ClosedCheckCase[]): string[][] {
  const models = Object.fromEntries(
    Object.entries(MODELS).map(([key, model]) => [
      key,
      [`kubernetes-models/${model.module}`, model.type] as const,
    ]),
  );
  return typeProblemsFor(cases, models);
}

/** Changes one letter of the deepest object key (`protocol` → `protocoi`): the typo a user would make. */
export function withDeepestKeyTypo(
  object: unknown,
  /** Only keys whose path (joined with `.`) matches are candidates, e.g. to skip keys of free-form maps. */
  eligible: RegExp = /./,
): { readonly object: unknown; readonly typo: string; readonly path: string } {
  let best: { path: (string | number)[]; key: string } | undefined;
  const visit = (node: unknown, path: (string | number)[]) => {
    if (Array.isArray(node)) node.forEach((item, index) => visit(item, [...path, index]));
    else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const candidate = [...path, key];
        if (
          /^[a-z]{3,}$/i.test(key) &&
          eligible.test(candidate.join('.')) &&
          (best === undefined || candidate.length > best.path.length)
        )
          best = { path: candidate, key };
        visit(child, [...path, key]);
      }
    }
  };
  visit(object, []);
  if (best === undefined) throw new Error('no key to misspell');
  const copy = structuredClone(object) as Record<string | number, unknown>;
  let parentNode: Record<string | number, unknown> = copy;
  for (const segment of best.path.slice(0, -1))
    parentNode = parentNode[segment] as Record<string | number, unknown>;
  const last = best.key.at(-1) === 'x' ? 'y' : 'x';
  const typo = `${best.key.slice(0, -1)}${last}`;
  parentNode[typo] = parentNode[best.key];
  delete parentNode[best.key];
  return { object: copy, typo, path: best.path.join('.') };
}

let schemaKeys: ReadonlySet<string> | undefined;

/** The keywords of `IJSONSchemaProps`, read from the model's declaration with the TypeScript checker. */
export function jsonSchemaPropsKeys(): ReadonlySet<string> {
  if (schemaKeys !== undefined) return schemaKeys;
  const declaration = require
    .resolve('kubernetes-models/apiextensions.k8s.io/v1/JSONSchemaProps')
    .replace(/\.js$/, '.d.ts');
  const program = ts.createProgram([declaration], {
    noEmit: true,
    skipLibCheck: true,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: [],
  });
  const source = program.getSourceFile(declaration);
  const checker = program.getTypeChecker();
  let keys: string[] = [];
  source?.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'IJSONSchemaProps') {
      keys = checker.getPropertiesOfType(checker.getTypeAtLocation(node)).map((symbol) => symbol.name);
    }
  });
  if (keys.length < 30)
    throw new Error(`IJSONSchemaProps has only ${keys.length} properties; the model changed shape`);
  schemaKeys = new Set(keys);
  return schemaKeys;
}

/**
 * Closed check of a CRD's `openAPIV3Schema`. The model types `items` and `additionalProperties` as empty
 * interfaces, so the TypeScript check stops there; this walk applies `IJSONSchemaProps`'s keys to every
 * schema node, however deep.
 */
export function schemaNodeProblems(node: unknown, path = 'openAPIV3Schema'): string[] {
  if (node === null || typeof node !== 'object' || Array.isArray(node))
    return [`${path}: not a schema object`];
  const keys = jsonSchemaPropsKeys();
  const problems: string[] = [];
  for (const [key, child] of Object.entries(node)) {
    if (!keys.has(key)) problems.push(`${path}: unknown key '${key}'`);
    else if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      for (const [name, schema] of Object.entries(child as object))
        problems.push(...schemaNodeProblems(schema, `${path}.${key}.${name}`));
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      if (Array.isArray(child))
        child.forEach((item, index) =>
          problems.push(...schemaNodeProblems(item, `${path}.${key}[${index}]`)),
        );
      else if (typeof child === 'object' && child !== null)
        problems.push(...schemaNodeProblems(child, `${path}.${key}`));
    } else if (key === 'anyOf' || key === 'allOf' || key === 'oneOf') {
      (child as unknown[]).forEach((item, index) =>
        problems.push(...schemaNodeProblems(item, `${path}.${key}[${index}]`)),
      );
    }
  }
  return problems;
}
