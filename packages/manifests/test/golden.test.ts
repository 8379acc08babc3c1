import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { parse } from 'yaml';
import { SluiceAgent } from '../src/constructs/agent/sluice-agent.js';
import { SluiceController } from '../src/constructs/controller/sluice-controller.js';
import { SluiceCrds } from '../src/constructs/crds/sluice-crds.js';

/**
 * Golden files: `test/golden/<case>.input.yaml` names a construct and its props, `<case>.golden.yaml` is
 * its synthesis, compared byte for byte. `UPDATE_GOLDEN=1` rewrites the goldens; review the diff like code.
 * The hand-written assertions in the construct tests say which facts in them matter.
 */
const CONSTRUCTS: Readonly<Record<string, (scope: Construct, props: never) => Construct>> = {
  SluiceAgent: (scope, props) => new SluiceAgent(scope, 'agent', props),
  SluiceController: (scope, props) => new SluiceController(scope, 'controller', props),
  SluiceCrds: (scope, props) => new SluiceCrds(scope, 'crds', props),
};

const directory = join(import.meta.dirname, 'golden');
const cases = readdirSync(directory)
  .filter((file) => file.endsWith('.input.yaml'))
  .map((file) => file.slice(0, -'.input.yaml'.length))
  .sort();

describe('golden synthesis', () => {
  it('has a defaults and a customised case for each construct', () => {
    for (const name of ['agent', 'controller', 'crds']) {
      assert.ok(cases.includes(`${name}-defaults`) && cases.includes(`${name}-custom`), name);
    }
  });

  for (const name of cases) {
    it(name, () => {
      const input = parse(readFileSync(join(directory, `${name}.input.yaml`), 'utf8')) as {
        construct: string;
        props: never;
      };
      const build = CONSTRUCTS[input.construct];
      assert.ok(build, `unknown construct ${input.construct}`);
      const app = new App();
      build(new Chart(app, 'golden'), input.props);
      const actual = app.synthYaml();
      const goldenPath = join(directory, `${name}.golden.yaml`);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath, actual);
      assert.equal(
        actual,
        readFileSync(goldenPath, 'utf8'),
        `${name} differs from its golden; rerun with UPDATE_GOLDEN=1 and review the diff`,
      );
    });
  }
});
