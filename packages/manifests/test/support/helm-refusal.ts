import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HelmBinary } from '@sluice/testkit';
import { mkdtempSync } from './helm.js';

/** What `helm template` did with a values file: its exit code and both streams, whole. */
export interface HelmRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `helm template` with `values` (as JSON, so no string is retyped) and never throws. */
export function helmTemplateRun(
  helm: HelmBinary,
  chart: string,
  values: unknown,
  release = { name: 'refused', namespace: 'sluice-system' },
): Promise<HelmRun> {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-refused-')), 'values.json');
  writeFileSync(file, JSON.stringify(values));
  const args = ['template', release.name, chart, '--namespace', release.namespace, '--values', file];
  return new Promise((resolve) => {
    execFile(helm.path, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({
        code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
        stdout,
        stderr,
      }),
    );
  });
}

export type ValuesPath = readonly (string | number)[];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * How each Helm names a values path in a schema error. Helm 3 (gojsonschema) writes
 * `- agent.logLevel: …` and `- agent: Additional property x is not allowed`; Helm 4
 * (santhosh-tekuri/jsonschema) writes `at '/agent/logLevel': …` and
 * `at '/agent': additional properties 'x' not allowed`. Array indices are path segments in both.
 */
export function helmNamesPath(options: {
  /** The Helm major version (3 or 4). */
  readonly major: number;
  readonly path: ValuesPath;
  /** The path's last segment is a key the schema does not allow (rather than a bad value). @default false */
  readonly unknownKey?: boolean;
}): RegExp {
  const { major, path, unknownKey = false } = options;
  const target = unknownKey ? path.slice(0, -1) : path;
  const key = String(path[path.length - 1]);
  if (major === 3) {
    const dotted = target.length === 0 ? '(root)' : target.join('.');
    return new RegExp(
      unknownKey
        ? `^- ${escape(dotted)}: Additional property ${escape(key)} is not allowed$`
        : `^- ${escape(dotted)}: `,
      'm',
    );
  }
  const pointer = target.map((segment) => `/${String(segment)}`).join('');
  return new RegExp(
    unknownKey
      ? `at '${escape(pointer)}': additional properties '${escape(key)}' not allowed`
      : `at '${escape(pointer)}': `,
    'm',
  );
}

/** Every Helm says this before listing schema violations. */
export const SCHEMA_REFUSAL =
  /values don't meet the specifications of the schema\(s\) in the following chart\(s\)/;
