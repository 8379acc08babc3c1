import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLOW_POLICY_CRD, FlowPolicySpecSchema } from '@sluice/spec';
import { SLUICE_CRDS_CHART_DEFINITION } from '../src/chart/charts.js';
import { SluiceCrds } from '../src/constructs/crds/sluice-crds.js';
import { HELMS, helmTemplate, type Manifest, synthesise, writeChart } from './support/helm.js';

const chart = writeChart(SLUICE_CRDS_CHART_DEFINITION);

for (const helm of HELMS) {
  describe(`sluice-crds chart equals SluiceCrds synthesis on Helm ${helm.major}`, () => {
    for (const keepOnUninstall of [true, false]) {
      it(`keepOnUninstall ${keepOnUninstall}`, async () => {
        const rendered = await helmTemplate(helm, chart, {
          release: 'crds',
          namespace: 'default',
          values: { keepOnUninstall },
        });
        const synthesised = synthesise(
          (scope) => new SluiceCrds(scope, 'crds', { release: 'crds', keepOnUninstall }),
        );
        assert.equal(rendered.length, 1);
        assert.deepEqual(rendered, synthesised);
      });
    }
  });
}

describe('the FlowPolicy CRD', () => {
  const [crd] = synthesise((scope) => new SluiceCrds(scope, 'crds')) as [Manifest & { spec: any }];
  const version = crd.spec.versions[0];

  it('is flowpolicies.sluice.dev, namespaced, short name fp, category sluice, kept on uninstall by default', () => {
    assert.equal(crd.metadata.name, 'flowpolicies.sluice.dev');
    assert.equal(crd.spec.scope, 'Namespaced');
    assert.deepEqual(crd.spec.names, {
      kind: 'FlowPolicy',
      listKind: 'FlowPolicyList',
      plural: 'flowpolicies',
      singular: 'flowpolicy',
      shortNames: ['fp'],
      categories: ['sluice'],
    });
    assert.deepEqual(crd.metadata.annotations, { 'helm.sh/resource-policy': 'keep' });
  });

  it('serves and stores v1alpha1 with a status subresource and Ready and Age columns', () => {
    assert.equal(crd.spec.versions.length, 1);
    assert.deepEqual([version.name, version.served, version.storage], [FLOW_POLICY_CRD.version, true, true]);
    assert.deepEqual(version.subresources, { status: {} });
    assert.deepEqual(
      version.additionalPrinterColumns.map((column: { name: string; type: string; jsonPath: string }) => [
        column.name,
        column.type,
        column.jsonPath,
      ]),
      [
        ['Ready', 'string', '.status.conditions[?(@.type=="Ready")].status'],
        ['Age', 'date', '.metadata.creationTimestamp'],
      ],
    );
  });

  it('has the spec schema of every component the zod schema declares, and no closed-object keyword the API server rejects', () => {
    const schema = version.schema.openAPIV3Schema;
    assert.equal(schema.type, 'object');
    assert.deepEqual(
      Object.keys(schema.properties.spec.properties).sort(),
      Object.keys(FlowPolicySpecSchema.shape).sort(),
    );
    assert.equal(JSON.stringify(schema).includes('"additionalProperties":false'), false);
    assert.equal(JSON.stringify(schema).includes('$schema'), false);
  });

  it('keepOnUninstall false drops the annotation', () => {
    const [plain] = synthesise((scope) => new SluiceCrds(scope, 'crds', { keepOnUninstall: false }));
    assert.equal((plain as Manifest).metadata.annotations, undefined);
  });

  it('refuses bad props naming the key', () => {
    assert.throws(
      () => synthesise((scope) => new SluiceCrds(scope, 'crds', { keepOnUninstall: 'yes' as never })),
      /keepOnUninstall/,
    );
  });
});
