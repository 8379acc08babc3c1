import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { convertAperturePolicy, type FlowPolicyInput } from '@sluice/spec';
import { stringify } from 'yaml';
import { badInput, EXIT_OK } from '../cli-error.js';
import type { Command } from '../command.js';
import { reportWarnings } from '../conversion-warnings.js';
import { readDocuments } from '../input-file.js';
import { issuesMessage } from './blueprints-commands.js';

/** The Policy CRs in a file: one per document, or the items of a `kind: List` (`kubectl get -o yaml`). */
function policyDocuments(documents: unknown[]): unknown[] {
  return documents.flatMap((document) => {
    const list = document as { kind?: unknown; items?: unknown } | null;
    return list?.kind === 'List' && Array.isArray(list.items) ? list.items : [document];
  });
}

export const migrateAperturePolicy: Command = {
  path: ['migrate', 'aperture-policy'],
  summary:
    'Convert Aperture Policy CRs generated from a supported blueprint into FlowPolicies (YAML on stdout).',
  positionals: 'FILE',
  options: {
    'output-dir': {
      type: 'string',
      valueName: 'DIR',
      description: 'Write each policy to DIR/policies/NAME.yaml instead of stdout.',
    },
    local: {
      type: 'boolean',
      description:
        "Convert rate limits to per-agent local buckets instead of redis (Aperture's limits are global).",
    },
  },
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (file === undefined) throw badInput('name the FILE holding the Aperture Policy');
    if (extra.length > 0) throw badInput(`one FILE only; also given: ${extra.join(' ')}`);
    const documents = policyDocuments(readDocuments(io.cwd, file));
    if (documents.length === 0) throw badInput(`${file}: no document`);
    const rateLimitBackend = args.options['local'] === true ? 'local' : 'redis';
    const policies: FlowPolicyInput[] = [];
    const problems: string[] = [];
    documents.forEach((document, index) => {
      const source = documents.length === 1 ? file : `${file} (document ${index + 1})`;
      const result = convertAperturePolicy(document, { rateLimitBackend });
      if (!result.ok) {
        problems.push(issuesMessage(source, result));
        return;
      }
      reportWarnings(io, source, result.warnings);
      policies.push(result.value);
    });
    // All or nothing: a file with one unconvertible policy writes none.
    if (problems.length > 0) throw badInput(problems.join('\n'));
    const outputDir = args.options['output-dir'];
    if (typeof outputDir === 'string' && outputDir !== '') {
      for (const policy of policies) {
        const target = join(resolve(io.cwd, outputDir), 'policies', `${policy.metadata.name}.yaml`);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(
          target,
          `# Converted by sluicectl migrate aperture-policy from ${file}\n${stringify(policy)}`,
        );
        io.stdout(`wrote ${target}\n`);
      }
    } else {
      io.stdout(policies.map((policy) => stringify(policy)).join('---\n'));
    }
    return EXIT_OK;
  },
};
