import type { Construct } from 'constructs';
import { z } from 'zod';
import type { ChartDefinition } from '../../src/chart/chart-generator.js';
import type { EvalContext } from '../../src/template/expr.js';
import { SluiceObject } from '../../src/constructs/sluice-object.js';
import { evaluateTree, type Tree, type TreeObject } from '../../src/template/template-tree.js';
import { textLines } from '../../src/template/template-tree.js';
import { writeChart } from './helm.js';

/**
 * A throwaway chart whose objects carry arbitrary trees under `result`, so the layer's nodes can be
 * rendered by real Helm and compared with their TypeScript evaluation. Helm does not check kinds when it
 * only templates, so the objects use a made-up kind.
 */
export const PROBE_CHART = { name: 'probe', version: '0.0.1', appVersion: '9.8.7' } as const;

export function probeObject(name: string, result: Tree): TreeObject {
  return { apiVersion: 'test.sluice.dev/v1', kind: 'Probe', metadata: { name }, result };
}

export function writeProbeChart(
  objects: Readonly<Record<string, Tree>>,
  lists: readonly Omit<ConstructorParameters<typeof SluiceObject>[2] & { forEach: unknown }, 'source'>[] = [],
): string {
  const definition: ChartDefinition = {
    name: PROBE_CHART.name,
    description: 'Probe chart for the values-expression layer tests.',
    version: PROBE_CHART.version,
    appVersion: PROBE_CHART.appVersion,
    kubeVersion: '>=1.20.0-0',
    valuesSchema: z.looseObject({}),
    source: 'packages/manifests/test/support/probe-chart.ts',
    build: (scope: Construct) => {
      for (const [name, tree] of Object.entries(objects)) {
        new SluiceObject(scope, name, {
          file: `${name}.yaml`,
          source: 'packages/manifests/test/support/probe-chart.ts',
          tree: probeObject(name, tree),
        });
      }
      lists.forEach(
        (list, index) =>
          new SluiceObject(scope, `List${index}`, {
            ...list,
            source: 'packages/manifests/test/support/probe-chart.ts',
          } as never),
      );
    },
    notes: textLines('probe'),
    readme: 'Probe.',
  };
  return writeChart(definition);
}

export function probeContext(values: unknown, release = 'probe', namespace = 'probe-ns'): EvalContext {
  return { values, release: { name: release, namespace }, chart: PROBE_CHART, locals: new Map() };
}

/** What synthesis gives for a probe object. */
export function evaluateProbe(name: string, tree: Tree, context: EvalContext): unknown {
  return evaluateTree(probeObject(name, tree), context);
}
