import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { defineSluiceConfig, SluiceConfigSchema, type SluiceConfigInput } from '../src/index.js';

type PolicyInput = NonNullable<SluiceConfigInput['policies']>[number];

const policy = (rateLimiter: Record<string, unknown>): PolicyInput =>
  ({
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'FlowPolicy',
    metadata: { name: 'per-user' },
    spec: {
      rateLimiters: [
        {
          name: 'per-user',
          selectors: [{ controlPoint: 'ingress' }],
          bucketCapacity: 10,
          fillAmount: 5,
          ...rateLimiter,
        },
      ],
    },
  }) as PolicyInput;

/** The issue lines of defineSluiceConfig's error (after the heading). */
function refusal(config: unknown): string[] {
  try {
    defineSluiceConfig(config as SluiceConfigInput);
  } catch (error) {
    assert.equal((error as Error).name, 'SpecValidationError');
    return (error as Error).message.split('\n').slice(1);
  }
  assert.fail('defineSluiceConfig accepted the config');
}

test('defineSluiceConfig returns the config as written: values keep no filled-in defaults', () => {
  const config = { sluice: { values: { agent: { logLevel: 'debug' as const } } } };
  assert.equal(defineSluiceConfig(config), config);
  assert.deepEqual(SluiceConfigSchema.parse(config).sluice.values, { agent: { logLevel: 'debug' } });
});

test('an unknown key inside any component values is refused by path, value and guess', () => {
  assert.deepEqual(
    refusal({
      crds: { values: { keepOnUninstal: true } },
      sluice: { values: { agent: { redis: { ulr: 'redis://redis:6379' } } } },
      istioConfig: { values: { extAuthz: { failureModeAlow: true } } },
      tenantGateways: {
        values: {
          tenants: [{ name: 'a', hosts: ['a.example.com'], backend: { service: 'a', port: 80 }, issur: 'x' }],
        },
      },
    }),
    [
      '  - crds.values.keepOnUninstal: true is not allowed; unknown field (did you mean "keepOnUninstall"?)',
      '  - sluice.values.agent.redis.ulr: "redis://redis:6379" is not allowed; unknown field (did you mean "url"?)',
      '  - istioConfig.values.extAuthz.failureModeAlow: true is not allowed; unknown field (did you mean "failureModeAllow"?)',
      '  - tenantGateways.values.tenants[0].issur: "x" is not allowed; unknown field (did you mean "issuer"?)',
    ],
  );
});

test('a bad value inside component values keeps its own reason', () => {
  assert.deepEqual(refusal({ sluice: { values: { agent: { logLevel: 'loud' } } } }), [
    '  - sluice.values.agent.logLevel: "loud" is not allowed; allowed: "debug", "info", "warn", "error"',
  ]);
});

for (const [typo, suggestion, rateLimiter] of [
  ['limitByLabelkey', 'limitByLabelKey', { limitByLabelkey: 'user-id' }],
  ['backnd', 'backend', { backnd: 'redis' }],
] as const) {
  test(`a policy's ${typo} is refused with "did you mean ${suggestion}"`, () => {
    const lines = refusal({ policies: [policy(rateLimiter)] });
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      new RegExp(
        `policies\\[0\\]\\.spec\\.rateLimiters\\[0\\]\\.${typo}: .* unknown field \\(did you mean "${suggestion}"\\?\\)$`,
      ),
    );
  });
}

test("a redis rate limit needs the agents' Redis URL; the error names both places", () => {
  assert.deepEqual(refusal({ policies: [policy({ backend: 'redis' })] }), [
    '  - policies[0].spec.rateLimiters[0].backend: "redis" is not allowed; backend redis needs the agents\' Redis, but sluice.values.agent.redis.url is not set, so every agent would keep its own local bucket; set sluice.values.agent.redis.url or use backend: local',
  ]);
  const withRedis = {
    sluice: { values: { agent: { redis: { url: 'redis://redis:6379' } } } },
    policies: [policy({ backend: 'redis' })],
  };
  assert.equal(defineSluiceConfig(withRedis), withRedis);
  // The agent runs elsewhere (another release): its Redis is not this config's to know.
  const elsewhere = {
    sluice: { values: { agent: { enabled: false } } },
    policies: [policy({ backend: 'redis' })],
  };
  assert.equal(defineSluiceConfig(elsewhere), elsewhere);
});

test('the mesh must dial the agent this config installs, on its port', () => {
  assert.deepEqual(
    refusal({ release: 'edge', namespace: 'mesh', sluice: { values: { agent: { ports: { grpc: 9000 } } } } }),
    [
      '  - istioConfig.values.agent.release: <missing> is not allowed; Envoy would dial the agent of release "sluice", but this config installs release "edge" (release); set istioConfig.values.agent.release to "edge"',
      '  - istioConfig.values.agent.namespace: <missing> is not allowed; Envoy would dial the agent in namespace "sluice-system", but this config installs it in "mesh" (namespace); set istioConfig.values.agent.namespace to "mesh"',
      '  - istioConfig.values.agent.port: <missing> is not allowed; Envoy would dial port 8080, but sluice.values.agent.ports.grpc is 9000; make them equal',
    ],
  );
  const matched = {
    release: 'edge',
    namespace: 'mesh',
    sluice: { values: { agent: { ports: { grpc: 9000 } } } },
    istioConfig: { values: { agent: { release: 'edge', namespace: 'mesh', port: 9000 } } },
  };
  assert.equal(defineSluiceConfig(matched), matched);
  const noIstio = { release: 'edge', istioConfig: { enabled: false } };
  assert.equal(defineSluiceConfig(noIstio), noIstio);
});

test("extensionProvider mode needs the agent's default control point", () => {
  // A selector and the meshConfig confirmation, so the control point is the one thing missing.
  const provider = {
    mode: 'extensionProvider' as const,
    workloadSelector: { labels: { app: 'shop' } },
    extensionProvider: { meshConfigReady: true },
  };
  assert.deepEqual(refusal({ istioConfig: { values: provider } }), [
    '  - istioConfig.values.mode: "extensionProvider" is not allowed; extensionProvider sends no control point, and sluice.values.agent.defaultControlPoint is not set, so the agent would refuse every Check (and Envoy fail open); set sluice.values.agent.defaultControlPoint (e.g. ingress)',
  ]);
  const fixed = {
    sluice: { values: { agent: { defaultControlPoint: 'ingress' } } },
    istioConfig: { values: provider },
  };
  assert.equal(defineSluiceConfig(fixed), fixed);
});

// The compiler over a config that exists only in memory, importing this package's sources.
const VIRTUAL = fileURLToPath(new URL('./virtual-sluice.config.ts', import.meta.url));

function compile(body: string): string[] {
  const text = `import { defineSluiceConfig } from '../src/index.js';\nexport default defineSluiceConfig(${body});\n`;
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  };
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === VIRTUAL ? text : readFile(name));
  host.fileExists = (name) => name === VIRTUAL || ts.sys.fileExists(name);
  host.getSourceFile = (name, language, onError, create) =>
    name === VIRTUAL
      ? ts.createSourceFile(name, text, language, true)
      : getSourceFile(name, language, onError, create);
  const program = ts.createProgram([VIRTUAL], options, host);
  const source = program.getSourceFile(VIRTUAL);
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
    const { line } = d.file?.getLineAndCharacterOfPosition(d.start ?? 0) ?? { line: -1 };
    return `${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

test('values are typed per component: tsc refuses a misspelt value key and accepts the right one', () => {
  assert.deepEqual(
    compile(`{ sluice: { values: { agent: { redis: { url: 'redis://redis:6379' } } } } }`),
    [],
  );
  const [diagnostic, ...rest] = compile(
    `{ sluice: { values: { agent: { redis: { ulr: 'redis://redis:6379' } } } } }`,
  );
  assert.deepEqual(rest, []);
  assert.match(
    diagnostic ?? '',
    /^2: Object literal may only specify known properties, .*'ulr' does not exist in type/,
  );
  const [tenant] = compile(`{ tenantGateways: { values: { tenantz: [] } } }`);
  assert.match(tenant ?? '', /'tenantz' does not exist in type .* Did you mean to write 'tenants'\?/);
});
