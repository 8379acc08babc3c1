import { join, relative, resolve } from 'node:path';
import {
  generatedCharts,
  gitOpsFiles,
  GitOpsInputError,
  writeCharts,
  writeGitOpsFiles,
  type GitOpsFiles,
} from '@sluice/manifests';
import { badInput, EXIT_OK } from '../cli-error.js';
import type { Command } from '../command.js';
import { requireOption } from '../input-file.js';
import { outputOption, parseOutputFormat, renderData, renderRecords } from '../output-format.js';
import { componentsOf, loadSluiceConfig } from '../sluice-config-file.js';

export const synth: Command = {
  path: ['synth'],
  summary:
    'Write GitOps output: one folder per component (plain YAML + kustomization, or chart references), optionally Argo CD or Flux objects.',
  options: {
    config: {
      type: 'string',
      valueName: 'FILE',
      required: true,
      description: 'sluice.config.ts, or a YAML/JSON Sluice config (- reads one from standard input).',
    },
    'output-dir': {
      type: 'string',
      valueName: 'DIR',
      required: true,
      description: 'Where to write; the folders written there are replaced.',
    },
    mode: {
      type: 'string',
      valueName: 'MODE',
      choices: ['plain', 'helm'],
      description: 'plain (default): YAML objects; helm: the generated charts with values.',
    },
    argocd: {
      type: 'string',
      valueName: 'REPO_URL',
      format: 'url',
      description:
        'Add Argo CD Applications for this Git repository: the parent (app of apps) in DIR/argocd, its children in DIR/argocd/apps.',
    },
    'argocd-namespace': {
      type: 'string',
      valueName: 'NAMESPACE',
      description: 'Namespace Argo CD runs in, where the Applications are created (default argocd).',
    },
    'argocd-project': {
      type: 'string',
      valueName: 'PROJECT',
      description: 'Argo CD AppProject of the Applications (default default).',
    },
    flux: {
      type: 'string',
      valueName: 'REPO_URL',
      format: 'url',
      description: 'Add a Flux GitRepository and Kustomizations (DIR/flux) for this Git repository.',
    },
    'repo-path': {
      type: 'string',
      valueName: 'PATH',
      description: 'DIR as a path inside that repository (default: DIR relative to the current directory).',
    },
    revision: {
      type: 'string',
      valueName: 'REV',
      description: 'Branch Argo CD and Flux follow (default main).',
    },
    'no-typecheck': {
      type: 'boolean',
      description: 'Load a .ts config without type-checking it first (run-time checks still apply).',
    },
    output: {
      ...outputOption(),
      description: 'How to list the files written: table (default), json or yaml.',
    },
  },
  async run(args, io) {
    const file = requireOption(args.options['config'], 'config');
    const outputDir = resolve(io.cwd, requireOption(args.options['output-dir'], 'output-dir'));
    const format = parseOutputFormat(args.options['output'] as string | undefined);
    const mode = (args.options['mode'] as string | undefined) ?? 'plain';
    if (mode !== 'plain' && mode !== 'helm')
      throw badInput(`--mode: "${mode}" is not allowed; use one of plain, helm`);
    const loaded = await loadSluiceConfig(io.cwd, file, {
      typecheck: args.options['no-typecheck'] !== true,
      ...(io.stdin !== undefined ? { stdin: io.stdin } : {}),
    });
    if (mode === 'helm' && loaded.kind === 'build') {
      throw badInput(
        `${file}: a build(app) config has no chart values, so --mode helm cannot reference the charts; default-export defineSluiceConfig({...}) instead`,
      );
    }
    const argocd = args.options['argocd'] as string | undefined;
    const flux = args.options['flux'] as string | undefined;
    const givenRepoPath = args.options['repo-path'] as string | undefined;
    const repoPath = (givenRepoPath ?? relative(io.cwd, outputDir)).replace(/^\.\/|\/+$/g, '') || '.';
    // Only Argo CD and Flux objects name the folder as a path in the repository; without them any folder will do.
    if (
      (argocd !== undefined || flux !== undefined) &&
      (repoPath.startsWith('..') || repoPath.startsWith('/'))
    ) {
      throw badInput(
        `--repo-path: "${repoPath}" is not a path inside the Git repository; run from the repository root or pass --repo-path`,
      );
    }
    const optional = (name: string) => args.options[name] as string | undefined;
    const argocdNamespace = optional('argocd-namespace');
    const argocdProject = optional('argocd-project');
    const revision = optional('revision');
    if ((argocdNamespace ?? argocdProject) !== undefined && argocd === undefined)
      throw badInput('--argocd-namespace and --argocd-project need --argocd REPO_URL');
    let files: GitOpsFiles;
    try {
      files = gitOpsFiles(
        componentsOf(file, loaded),
        {
          mode,
          repoPath,
          ...(argocd !== undefined ? { argocd } : {}),
          ...(argocdNamespace !== undefined ? { argocdNamespace } : {}),
          ...(argocdProject !== undefined ? { argocdProject } : {}),
          ...(flux !== undefined ? { flux } : {}),
          ...(revision !== undefined ? { revision } : {}),
        },
        mode === 'helm' ? generatedCharts() : new Map(),
      );
      writeGitOpsFiles(outputDir, files);
    } catch (error) {
      // A name that is not a Kubernetes name, or a file that would land outside DIR: nothing is written.
      if (error instanceof GitOpsInputError) throw badInput(`${file}: ${error.message}`);
      throw error;
    }
    const written = [...files].map(([path, content]) => ({ path, bytes: Buffer.byteLength(content) }));
    io.stdout(
      format === 'table'
        ? renderRecords(format, written, [
            { title: 'FILE', cell: (file) => join(outputDir, file.path) },
            { title: 'BYTES', cell: (file) => String(file.bytes) },
          ])
        : renderData(format, { outputDir, files: written }),
    );
    return EXIT_OK;
  },
};

export const charts: Command = {
  path: ['charts'],
  summary:
    'Regenerate the Helm charts from the constructs (sluice, sluice-crds, istioconfig, tenant-gateways).',
  options: {
    'output-dir': {
      type: 'string',
      valueName: 'DIR',
      description: 'Where the chart folders go (default charts).',
    },
  },
  async run(args, io) {
    const directory = resolve(io.cwd, (args.options['output-dir'] as string | undefined) ?? 'charts');
    for (const chart of writeCharts(directory)) io.stdout(`${chart.directory}: ${chart.entries} entries\n`);
    return EXIT_OK;
  },
};
