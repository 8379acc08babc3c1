import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentSidecarContainer } from '../src/constructs/agent/sluice-agent.js';
import { SluiceCrds } from '../src/constructs/crds/sluice-crds.js';
import { SluicePlatform } from '../src/constructs/platform/sluice-platform.js';
import {
  type ClosedCheckCase,
  MODELS,
  modelKey,
  runtimeProblem,
  schemaNodeProblems,
  typeProblems,
  withDeepestKeyTypo,
} from './support/closed-check.js';
import { synthesise } from './support/helm.js';

/** Defaults and a customised install: between them every conditional branch of the constructs is on once. */
const objects = [
  ...synthesise((scope) => {
    new SluicePlatform(scope, 'defaults', {});
    new SluiceCrds(scope, 'crds', {});
  }),
  ...synthesise((scope) => {
    new SluicePlatform(scope, 'custom', {
      release: 'edge',
      namespace: 'mesh',
      agent: {
        redis: { url: 'redis://redis:6379', existingSecret: 'redis-auth' },
        priorityClassName: '',
        drainSeconds: 0,
      },
      controller: { apiToken: { existingSecret: 'api-token' }, replicas: 2 },
      networkPolicy: { enabled: true, sidecarNamespaces: ['shop'], apiNamespaces: ['ops'] },
    });
  }),
];
const cases: ClosedCheckCase[] = [
  ...objects.map((object) => ({
    label: `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`,
    model: modelKey(object),
    object,
  })),
  {
    label: 'agent sidecar container',
    model: 'v1/Container',
    object: agentSidecarContainer({ ports: { grpc: 18080, http: 18081 } }),
  },
];

describe('every object validates against kubernetes-models, closed', () => {
  it('covers every kind the constructs make', () => {
    assert.deepEqual(new Set(cases.map((c) => c.model)), new Set(Object.keys(MODELS)));
    // Defaults (with the ClusterRole and its binding) and the CRDs; the customised platform (its two replicas
    // add the peers Service); the sidecar.
    // The defaults include the agent's priority-class ResourceQuota.
    assert.equal(cases.length, 14 + 1 + 16 + 1);
  });

  it('the runtime validators accept every object', () => {
    for (const c of cases) assert.equal(runtimeProblem(c.model, c.object), undefined, c.label);
  });

  it('the TypeScript interfaces accept every object as a literal (no unknown key anywhere)', () => {
    const problems = typeProblems(cases);
    cases.forEach((c, index) => assert.deepEqual(problems[index], [], c.label));
  });

  it('the CRD schema uses only JSON-schema keywords Kubernetes knows, at every depth', () => {
    const crd = cases.find((c) => c.model === 'apiextensions.k8s.io/v1/CustomResourceDefinition')?.object as {
      spec: { versions: { schema: { openAPIV3Schema: unknown } }[] };
    };
    assert.deepEqual(schemaNodeProblems(crd.spec.versions[0]?.schema.openAPIV3Schema), []);
  });
});

describe('a one-letter typo is refused by each validator', () => {
  const firstOfEachModel = Object.keys(MODELS).map(
    (model) => cases.find((c) => c.model === model) as ClosedCheckCase,
  );
  // Keys under `properties` of a CRD schema are field names, free to be anything: misspell a schema keyword instead.
  const typos = firstOfEachModel.map((c) => ({
    ...c,
    ...withDeepestKeyTypo(c.object, /(^|\.)(?!properties\.)[^.]+\.[A-Za-z]+$|^[A-Za-z]+$/),
  }));
  const problems = typeProblems(typos.map(({ label, model, object }) => ({ label, model, object })));

  for (const [index, typo] of typos.entries()) {
    it(`${typo.model}: ${typo.path} → ${typo.typo}`, () => {
      const crd = typo.object as {
        kind: string;
        spec: { versions: { schema: { openAPIV3Schema: unknown } }[] };
      };
      // Below `items`, the model's interface is open, so the CRD's schema walk is the validator that sees the typo.
      const messages = [
        ...(problems[index] ?? []),
        ...(crd.kind === 'CustomResourceDefinition'
          ? schemaNodeProblems(crd.spec.versions[0]?.schema.openAPIV3Schema)
          : []),
      ];
      assert.equal(messages.length, 1, messages.join('\n'));
      assert.match(
        messages[0] ?? '',
        new RegExp(`'"${typo.typo}"' does not exist in type|unknown key '${typo.typo}'`),
      );
    });
  }

  it('the runtime validators alone let most of these typos through, which is why the closed check exists', () => {
    const missed = typos.filter((typo) => runtimeProblem(typo.model, typo.object) === undefined).length;
    // Those caught misspell a required key (the two bindings' subjects[0].kind, the ResourceQuota's scope
    // expression, and one more).
    assert.ok(
      missed >= typos.length - 4,
      `runtime validators caught ${typos.length - missed} of ${typos.length}`,
    );
  });

  it('a wrong type is refused at runtime too', () => {
    const service = cases.find((c) => c.model === 'v1/Service') as ClosedCheckCase;
    const broken = structuredClone(service.object) as { spec: { ports: { port: unknown }[] } };
    (broken.spec.ports[0] as { port: unknown }).port = 'grpc-port';
    assert.match(runtimeProblem('v1/Service', broken) ?? '', /port/);
  });
});
