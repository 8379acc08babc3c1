import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** What `sluicectl synth` wrote into DIR: its component folders, and the kind of every object in them. */
export function synthesisedKinds(deploy: string): {
  readonly folders: readonly string[];
  readonly count: (kind: string) => number;
  readonly kinds: readonly string[];
} {
  const folders = readdirSync(deploy).sort();
  const kinds = folders.flatMap((folder) =>
    readdirSync(join(deploy, folder))
      .filter((file) => file !== 'kustomization.yaml')
      .flatMap((file) =>
        parseAllDocuments(readFileSync(join(deploy, folder, file), 'utf8')).map(
          (document) => (document.toJS() as { kind: string }).kind,
        ),
      ),
  );
  return { folders, kinds, count: (kind) => kinds.filter((each) => each === kind).length };
}

/** The four charts' folders, and the namespaces folder synth puts first. */
export const SYNTHESISED_FOLDERS = [
  'istioconfig',
  'namespaces',
  'policies',
  'sluice',
  'sluice-crds',
] as const;

/** `sluicectl synth` lists what it wrote as a FILE BYTES table. */
export const SYNTH_TABLE = /^FILE\s+BYTES$/m;
