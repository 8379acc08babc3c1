import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { MODELS, modelKey, runtimeProblem } from './support/closed-check.js';
import { HELMS, helmTemplate } from './support/helm.js';
import {
  fieldsNewerThan128,
  newestKubernetesModels,
  newestModelProblem,
} from './support/kubernetes-version-fields.js';
import { CHARTS_DIRECTORY, RENDER_CASES, synthesiseCase } from './support/rendered-installs.js';

/** The charts support Kubernetes 1.28 and later (issue 16 item 7): the oldest and the newest API both accept the output. */
const OLDEST = '1.28.0';

describe(`rendered output fits Kubernetes ${OLDEST} (a table of facts: no 1.28 models are installed)`, () => {
  it('every chart declares kubeVersion >=1.28.0-0', () => {
    for (const chart of ['sluice', 'sluice-crds', 'istioconfig', 'tenant-gateways']) {
      const definition = parse(readFileSync(resolve(CHARTS_DIRECTORY, chart, 'Chart.yaml'), 'utf8')) as {
        kubeVersion: string;
      };
      assert.equal(definition.kubeVersion, '>=1.28.0-0', chart);
    }
  });

  it('the table catches a field 1.28 lacks (the agent preStop sleep this chart used to render)', () => {
    const pod = {
      spec: { template: { spec: { containers: [{ lifecycle: { preStop: { sleep: { seconds: 5 } } } }] } } },
    };
    assert.deepEqual(fieldsNewerThan128(pod), [
      'spec.template.spec.containers.lifecycle.preStop.sleep: lifecycle.*.sleep (alpha 1.29, beta (on by default) 1.30: KEP-3960 PodLifecycleSleepAction)',
    ]);
  });

  it(`synthesis of every render case uses no field newer than ${OLDEST}`, () => {
    for (const testCase of RENDER_CASES) {
      for (const object of synthesiseCase(testCase))
        assert.deepEqual(
          fieldsNewerThan128(object),
          [],
          `${testCase.chart}: ${testCase.name} ${object.kind}`,
        );
    }
  });

  for (const helm of HELMS) {
    it(`helm ${helm.major} template --kube-version ${OLDEST} renders every render case, with no field newer than ${OLDEST}`, async () => {
      for (const testCase of RENDER_CASES) {
        const manifests = await helmTemplate(helm, resolve(CHARTS_DIRECTORY, testCase.chart), {
          ...testCase,
          args: ['--kube-version', OLDEST],
        });
        assert.ok(
          manifests.length > 0 || testCase.name === 'no tenants',
          `${testCase.chart}: ${testCase.name}`,
        );
        for (const object of manifests)
          assert.deepEqual(
            fieldsNewerThan128(object),
            [],
            `${testCase.chart}: ${testCase.name} ${object.kind}`,
          );
      }
    });
  }
});

describe('rendered output validates against the newest kubernetes-models installed as well', () => {
  it('that copy is newer than the one the closed check uses', () => {
    const { version } = newestKubernetesModels();
    const closedCheck = parse(
      readFileSync(
        resolve(import.meta.dirname, '..', '..', '..', 'node_modules', 'kubernetes-models', 'package.json'),
        'utf8',
      ),
    ) as { version: string };
    assert.ok(
      Number(version.split('.')[0]) > Number(closedCheck.version.split('.')[0]),
      `${version} vs ${closedCheck.version}`,
    );
  });

  it('every core object of every render case passes both the closed-check models and the newest', async () => {
    let checked = 0;
    for (const testCase of RENDER_CASES) {
      for (const object of synthesiseCase(testCase)) {
        const key = modelKey(object);
        const model = MODELS[key];
        if (model === undefined) continue;
        const label = `${testCase.chart}: ${testCase.name} ${key} ${object.metadata.name}`;
        assert.equal(runtimeProblem(key, object), undefined, label);
        assert.equal(await newestModelProblem(model.module, object), undefined, label);
        checked += 1;
      }
    }
    assert.ok(checked >= 40, `${checked} objects checked`);
  });
});
