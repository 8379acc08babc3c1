import { spawn } from 'node:child_process';
import { App, Chart } from 'cdk8s';
import { IstioConfig, istioConfigMeshConfig, type IstioConfigProps } from '@sluice/manifests';
import { IstioConfigValuesSchema, parseWith } from '@sluice/spec';
import { stringify } from 'yaml';
import { badInput, EXIT_OK, failure } from '../cli-error.js';
import type { Command } from '../command.js';
import { readDocument, requireOption, STDIN_NAME } from '../input-file.js';
import { outputOption, parseOutputFormat, renderData } from '../output-format.js';
import { issuesMessage } from './blueprints-commands.js';

/** Pipes manifests to `kubectl apply -f -`; resolves with kubectl's exit code. */
function kubectlApply(
  manifests: string,
  io: {
    stdout: (t: string) => void;
    stderr: (t: string) => void;
    env: Readonly<Record<string, string | undefined>>;
  },
): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('kubectl', ['apply', '-f', '-'], {
      env: { ...io.env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? failure(
              'kubectl was not found on PATH: install it, or use --dry-run and apply the output yourself',
            )
          : error,
      ),
    );
    child.stdout.on('data', (chunk: Buffer) => io.stdout(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => io.stderr(chunk.toString()));
    child.on('close', (code) => resolvePromise(code ?? 1));
    child.stdin.on('error', () => {}); // kubectl may exit before reading; its exit code tells.
    child.stdin.end(manifests);
  });
}

export const installIstioConfig: Command = {
  path: ['install', 'istioconfig'],
  summary:
    'Render the istioconfig chart (what helm would install) and apply it with kubectl, or print it with --dry-run.',
  options: {
    namespace: {
      type: 'string',
      valueName: 'NS',
      required: true,
      description: 'Namespace: the istiod namespace (e.g. istio-system) applies mesh-wide.',
    },
    'values-file': {
      type: 'string',
      valueName: 'FILE',
      description: 'istioconfig chart values (YAML or JSON); - reads standard input.',
    },
    release: {
      type: 'string',
      valueName: 'NAME',
      description: 'Release name the object names derive from (default sluice).',
    },
    'dry-run': { type: 'boolean', description: 'Print the manifests instead of applying them.' },
    output: {
      ...outputOption(['yaml', 'json']),
      description: 'With --dry-run: yaml (default, one document per object) or json (a v1 List).',
    },
    'mesh-config': {
      type: 'boolean',
      description:
        "Print the meshConfig.extensionProviders entries mode extensionProvider needs (add them to istiod's mesh config, then set extensionProvider.meshConfigReady: true).",
    },
  },
  async run(args, io) {
    const namespace = requireOption(args.options['namespace'], 'namespace');
    const format = parseOutputFormat(args.options['output'] as string | undefined, ['yaml', 'json']);
    if (args.options['output'] !== undefined && args.options['dry-run'] !== true)
      throw badInput('-o/--output applies to --dry-run only (kubectl apply prints its own output)');
    const valuesFile = args.options['values-file'] as string | undefined;
    const values = valuesFile === undefined ? {} : readDocument(io, valuesFile);
    const source = valuesFile === undefined ? 'values' : valuesFile === '-' ? STDIN_NAME : valuesFile;
    const release = (args.options['release'] as string | undefined) ?? 'sluice';
    if (args.options['mesh-config'] === true) {
      const props = { ...(values as object), release, namespace } as IstioConfigProps;
      try {
        io.stdout(stringify({ meshConfig: istioConfigMeshConfig(props) }, { lineWidth: 0 }));
      } catch (error) {
        throw badInput(`${source}: ${(error as Error).message}`);
      }
      return EXIT_OK;
    }
    const checked = parseWith(IstioConfigValuesSchema, values ?? {});
    if (!checked.ok) throw badInput(issuesMessage(source, checked));
    const chart = new Chart(new App(), 'istioconfig');
    try {
      new IstioConfig(chart, 'istio', {
        ...(values as object),
        release,
        namespace,
      });
    } catch (error) {
      throw badInput(`${source}: ${(error as Error).message}`);
    }
    const objects = chart.toJson();
    const manifests = objects.map((object) => `---\n${stringify(object, { lineWidth: 0 })}`).join('');
    if (args.options['dry-run'] === true) {
      io.stdout(
        format === 'json'
          ? renderData('json', { apiVersion: 'v1', kind: 'List', items: objects })
          : manifests,
      );
      return EXIT_OK;
    }
    const code = await kubectlApply(manifests, io);
    if (code !== 0) throw failure(`kubectl apply exited with ${code}`);
    return EXIT_OK;
  },
};
