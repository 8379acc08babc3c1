import { isAbsolute, relative, resolve } from 'node:path';
import type { GitOpsComponent, KubernetesObject } from './gitops-component.js';

/**
 * Refused GitOps input: a name that cannot be a Kubernetes name, or a file that would land outside the
 * output folder. `sluicectl synth` reports it as bad input (exit 2), naming the path and the value.
 */
export class GitOpsInputError extends Error {
  override readonly name = 'GitOpsInputError';
  constructor(
    readonly path: string,
    readonly value: string,
    readonly allowed: string,
  ) {
    super(`${path}: ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} ${allowed}`);
  }
}

// Kubernetes' own rules (apimachinery validation): a namespace is an RFC 1123 label, most object names
// are RFC 1123 subdomains. Both forbid `/` and `..` as a path segment, so a valid name is a safe file name.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;

/** `value` if it is a DNS label (a namespace), else a `GitOpsInputError` naming `path`. */
export function checkLabel(path: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > 63 || !DNS_LABEL.test(value))
    throw new GitOpsInputError(
      path,
      String(value),
      'is not allowed; use a DNS label: at most 63 lowercase letters, digits and -, starting and ending alphanumeric',
    );
  return value;
}

/** `value` if it is a DNS subdomain (most object names), else a `GitOpsInputError` naming `path`. */
export function checkSubdomain(path: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value))
    throw new GitOpsInputError(
      path,
      String(value),
      'is not allowed; use a DNS subdomain: at most 253 lowercase letters, digits, - and ., each part starting and ending alphanumeric',
    );
  return value;
}

/** Top-level folders of the output that are not components: a component of that name would overwrite them. */
export const RESERVED_FOLDERS: readonly string[] = ['argocd', 'charts', 'flux', 'namespaces'];

/** A component's folder name, checked: it is also an Argo CD / Flux object name. */
export function componentFolder(component: GitOpsComponent): string {
  const path = `component ${JSON.stringify(component.name)}: name`;
  const name = checkLabel(path, component.name);
  if (RESERVED_FOLDERS.includes(name))
    throw new GitOpsInputError(
      path,
      name,
      `is not allowed; ${RESERVED_FOLDERS.join(', ')} are folders of the output itself`,
    );
  return name;
}

/** The file an object is written to, `<kind>-<name>[.<namespace>].yaml`, from checked names only. */
export function objectFileName(component: GitOpsComponent, object: KubernetesObject): string {
  const where = `component ${component.name}: ${String(object.kind)} ${JSON.stringify(object.metadata.name)}`;
  if (typeof object.kind !== 'string' || !KIND.test(object.kind))
    throw new GitOpsInputError(
      `${where}: kind`,
      String(object.kind),
      'is not allowed; use a Kubernetes kind',
    );
  const name = checkSubdomain(`${where}: metadata.name`, object.metadata.name);
  const namespace =
    object.metadata.namespace === undefined
      ? ''
      : `.${checkLabel(`${where}: metadata.namespace`, object.metadata.namespace)}`;
  return `${object.kind.toLowerCase()}-${name}${namespace}.yaml`;
}

/**
 * `path` resolved under `directory`; refuses a path that would resolve outside it (the last line of
 * defence: the names above already rule it out).
 */
export function containedPath(directory: string, path: string): string {
  const root = resolve(directory);
  const target = resolve(root, path);
  const inside = relative(root, target);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside))
    throw new GitOpsInputError('output file', path, `resolves outside the output folder ${root}; refused`);
  return target;
}
