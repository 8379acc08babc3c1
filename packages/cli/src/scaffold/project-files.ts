/**
 * The files `sluicectl init` writes: a project outside this repository that depends on the published
 * packages, with a typed `sluice.config.ts` that `sluicectl synth` accepts as written. Pure: the command
 * decides where they go.
 */

export interface ProjectFilesOptions {
  /** npm package name of the new project. */
  readonly name: string;
  /** Version ranges of the Sluice packages the project depends on (this sluicectl's own). */
  readonly manifestsVersion: string;
  readonly cliVersion: string;
  /** TypeScript for `npm run typecheck`; synth itself loads the config with tsx and needs no build. */
  readonly typescriptVersion: string;
}

/** Where synth writes by default; committed, since Argo CD and Flux sync it from Git. */
export const SCAFFOLD_OUTPUT_DIR = 'deploy';

/** A name npm accepts, from a directory name: lower case, URL-safe, at most 214 characters. */
export function packageNameFor(directoryName: string): string {
  const name = directoryName
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 214);
  return name === '' ? 'sluice-config' : name;
}

const CONFIG = `/**
 * The whole Sluice installation as one typed document. \`npm run synth\` writes one folder per component
 * (CRDs, agent and controller, the Istio wiring, policies) to ${SCAFFOLD_OUTPUT_DIR}/; add --argocd or --flux
 * with your Git repository's URL to get the GitOps objects too.
 */
import { defineSluiceConfig } from '@sluice/manifests';

// The service to protect, as Envoy names it: <service>.<namespace>.svc.cluster.local.
const SERVICE = 'my-service.my-namespace.svc.cluster.local';

export default defineSluiceConfig({
  release: 'sluice',
  namespace: 'sluice-system',
  istioConfig: {
    namespace: 'istio-system',
    values: { agent: { release: 'sluice', namespace: 'sluice-system' } },
  },
  policies: [
    {
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'FlowPolicy',
      metadata: { name: 'service-protection' },
      spec: {
        classifiers: [
          {
            selectors: [{ controlPoint: 'ingress', service: SERVICE }],
            rules: { 'user-type': { header: 'user-type' } },
          },
        ],
        loadSchedulers: [
          {
            name: 'service-protection',
            selectors: [{ controlPoint: 'ingress', service: SERVICE }],
            workloads: [
              { name: 'guests', labelMatcher: { matchLabels: { 'user-type': 'guest' } }, priority: 50 },
              { name: 'subscribers', labelMatcher: { matchLabels: { 'user-type': 'subscriber' } }, priority: 200 },
            ],
          },
        ],
      },
    },
  ],
});
`;

function readme(name: string): string {
  return `# ${name}

Sluice's installation for this cluster, as code. \`sluice.config.ts\` is the only file to edit.

\`\`\`sh
npm install
npm run typecheck   # TypeScript checks the config against Sluice's types
npm run synth       # writes ${SCAFFOLD_OUTPUT_DIR}/: one folder of manifests and a kustomization per component
kubectl apply -k ${SCAFFOLD_OUTPUT_DIR}/sluice-crds && kubectl apply -k ${SCAFFOLD_OUTPUT_DIR}/sluice   # or let Argo CD / Flux sync it
\`\`\`

For GitOps, run \`npx sluicectl synth --config sluice.config.ts --output-dir ${SCAFFOLD_OUTPUT_DIR} --argocd REPO_URL\`
(or \`--flux REPO_URL\`) and commit \`${SCAFFOLD_OUTPUT_DIR}/\`. \`npx sluicectl --help\` lists every command.
`;
}

/** The scaffold as relative path → content, in the order the command reports them. */
export function projectFiles(options: ProjectFilesOptions): Map<string, string> {
  const packageJson = {
    name: options.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      synth: `sluicectl synth --config sluice.config.ts --output-dir ${SCAFFOLD_OUTPUT_DIR}`,
      typecheck: 'tsc -p tsconfig.json',
    },
    dependencies: { '@sluice/manifests': options.manifestsVersion },
    devDependencies: { '@sluice/cli': options.cliVersion, typescript: options.typescriptVersion },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
    include: ['sluice.config.ts'],
  };
  return new Map([
    ['package.json', `${JSON.stringify(packageJson, null, 2)}\n`],
    ['tsconfig.json', `${JSON.stringify(tsconfig, null, 2)}\n`],
    ['sluice.config.ts', CONFIG],
    ['.gitignore', 'node_modules/\n'],
    ['README.md', readme(options.name)],
  ]);
}
