// Flat config shared by every workspace. Type-aware rules stay off so lint runs without a build.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'charts/**',
      '**/generated/**',
      '**/.tools/**',
      'test/repo/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    // Resolves `./x.js` specifiers to their `./x.ts` sources, so cycles are seen before any build.
    settings: {
      // Imported files are parsed as TypeScript too; otherwise no-cycle cannot follow them.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: fileURLToPath(new URL('./packages/*/tsconfig.test.json', import.meta.url)),
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      // A cycle between modules makes load order matter; the style guide forbids them.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      // `.only` silently skips the rest of a suite.
      'no-restricted-properties': [
        'error',
        { object: 'test', property: 'only', message: 'test.only skips the rest of the suite.' },
        { object: 'describe', property: 'only', message: 'describe.only skips the rest of the suite.' },
        { object: 'it', property: 'only', message: 'it.only skips the rest of the suite.' },
      ],
    },
  },
  {
    // A workspace reaches another by package name (a declared dependency, so turbo orders the build),
    // never by a relative path out of its own folder. test/repo/workspace-boundaries.test.ts also
    // catches `new URL('../../…', import.meta.url)`, which no import rule sees.
    files: ['packages/*/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'import-x/no-relative-packages': 'error' },
  },
  {
    // Tests build deliberately malformed documents.
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // A package's entry points name what they export: `export *` grows a public surface with whatever a
    // module adds. (@sluice/manifests still re-exports in bulk until its surface is narrowed.)
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/manifests/src/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'Name each export (export { a, type B } from ...), so the public surface is deliberate.',
        },
      ],
    },
  },
  {
    // Time is injected (@sluice/clock) so tests step it instead of sleeping; only the clock package
    // touches the process's clocks and timers. Formatting a given epoch (new Date(ms)) stays allowed.
    files: ['packages/*/src/**/*.ts'],
    ignores: [
      'packages/clock/src/**',
      // Test support, never shipped: real ports and real child processes.
      'packages/testkit/src/**',
      'packages/e2e-kit/src/**',
      // Not yet routed through a Clock (issue 18, R1a follow-up): real-I/O timeouts whose tests rely on
      // real time (gRPC deadlines and shutdown grace, watch retry and debounce, the live demo's processes).
      'packages/controller/src/sources/kubernetes-policy-source.ts',
      'packages/controller/src/sources/file-policy-source.ts',
      'packages/controller/src/sync/agent-sync-server.ts',
      'packages/proxy/src/access-log-exporter.ts',
      'packages/proxy/src/authz-client.ts',
      'packages/demo/src/live/live-demo.ts',
      'packages/demo/src/live/live-processes.ts',
    ],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'performance'].map((name) => ({
          name,
          message: `Take a Clock from @sluice/clock instead of the global ${name}.`,
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use clock.wallNow() (or clock.now() for durations).' },
        { object: 'performance', property: 'now', message: 'Use clock.now() from an injected Clock.' },
        { object: 'Math', property: 'random', message: 'Take a RandomSource from @sluice/clock.' },
        { object: 'test', property: 'only', message: 'test.only skips the rest of the suite.' },
        { object: 'describe', property: 'only', message: 'describe.only skips the rest of the suite.' },
        { object: 'it', property: 'only', message: 'it.only skips the rest of the suite.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'Name each export (export { a, type B } from ...), so the public surface is deliberate.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'new Date() reads the system clock; use new Date(clock.wallNow()).',
        },
        {
          selector:
            "ImportDeclaration[source.value='node:timers'], ImportDeclaration[source.value='node:timers/promises'], ImportDeclaration[source.value='node:perf_hooks']",
          message: 'Timers and performance.now come from an injected Clock (@sluice/clock).',
        },
      ],
    },
  },
);
