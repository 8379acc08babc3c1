import { Construct } from 'constructs';
import { stringify as stringifyYaml } from 'yaml';
import type { z } from 'zod';
import { type GoScope, LocalExpr } from '../template/expr.js';
import { renderObject, renderTextBlock } from '../template/go-template-renderer.js';
import { SluiceObject } from '../constructs/sluice-object.js';
import { toJsonSchema } from '@sluice/spec';
import { renderValuesGuard } from './values-guard.js';
import { loopVariables, type TextLines } from '../template/template-tree.js';
import { renderValuesTable, renderValuesYaml } from './values-documentation.js';

/** Everything the generator needs to know about one chart. */
export interface ChartDefinition {
  /** Chart name and directory under `charts/`. */
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly appVersion: string;
  /** Lowest Kubernetes version the objects need. */
  readonly kubeVersion: string;
  /** Values schema from `@sluice/spec`: values.yaml, values.schema.json and the README table come from it. */
  readonly valuesSchema: z.ZodType;
  /** Source file that defines the chart, named in every generated header. */
  readonly source: string;
  /** Builds the chart's constructs over `.Values` under `scope`. */
  readonly build: (scope: Construct) => void;
  /** NOTES.txt, printed after install. */
  readonly notes: TextLines;
  /** README text above the values table (Markdown). */
  readonly readme: string;
}

/** `charts/<name>/...` relative path → file content. */
export type ChartFiles = ReadonlyMap<string, string>;

export const REGENERATE_COMMAND = 'npm run charts';

function header(source: string): string {
  return `generated — edit ${source}, run ${REGENERATE_COMMAND}`;
}

function templateFile(object: SluiceObject, scope: GoScope, chartSource: string): string {
  const lines = [`{{- /* ${header(object.source)} (chart: ${chartSource}) */ -}}`];
  const guarded = object.when !== undefined;
  if (guarded) lines.push(`{{- if ${object.when.toGo(scope)} }}`);
  if (object.forEach !== undefined && object.build !== undefined) {
    const { forEach, build } = object;
    // One document per element; the loop variables are those the evaluator binds (loopVariables(0)).
    lines.push(`{{- range $index0, $item0 := ${forEach.toGo(scope)} }}`, '---');
    const names = loopVariables(0);
    lines.push(
      ...renderObject(build(new LocalExpr<never>(names.item), new LocalExpr<number>(names.index)), scope, 1),
    );
    lines.push('{{- end }}');
  } else if (object.tree !== undefined) {
    lines.push(...renderObject(object.tree, scope));
  }
  if (guarded) lines.push('{{- end }}');
  return `${lines.join('\n')}\n`;
}

/** Builds every file of one chart; deterministic: the same definition always gives the same bytes. */
export function generateChart(definition: ChartDefinition): ChartFiles {
  const root = new Construct(undefined as unknown as Construct, definition.name);
  definition.build(root);
  const objects = root.node.findAll().filter((child): child is SluiceObject => child instanceof SluiceObject);
  const scope: GoScope = { helpers: new Map() };
  const files = new Map<string, string>();

  const chartYaml = {
    apiVersion: 'v2',
    name: definition.name,
    description: definition.description,
    type: 'application',
    version: definition.version,
    appVersion: definition.appVersion,
    kubeVersion: definition.kubeVersion,
    home: 'https://github.com/sluice-dev/sluice',
    sources: ['https://github.com/sluice-dev/sluice'],
    keywords: ['istio', 'envoy', 'load-management', 'rate-limiting', 'ext-authz'],
    maintainers: [{ name: 'Sluice maintainers' }],
  };
  files.set(
    'Chart.yaml',
    `# ${header(definition.source)}\n${stringifyYaml(chartYaml, { version: '1.1', lineWidth: 0 })}`,
  );

  files.set('values.yaml', renderValuesYaml(definition.valuesSchema, header(definition.source)));
  files.set(
    'templates/values-guard.yaml',
    renderValuesGuard(definition.valuesSchema, header(definition.source)),
  );

  const schema = { ...toJsonSchema(definition.valuesSchema, { allowGlobal: true }) };
  const withComment = { $schema: schema.$schema, $comment: header(definition.source), ...schema };
  files.set('values.schema.json', `${JSON.stringify(withComment, null, 2)}\n`);

  for (const object of objects) {
    const path = `templates/${object.file}`;
    if (files.has(path)) throw new Error(`two objects of chart ${definition.name} render into ${path}`);
    files.set(path, templateFile(object, scope, definition.source));
  }

  const notes = renderTextBlock(definition.notes, scope);
  files.set('templates/NOTES.txt', `{{- /* ${header(definition.source)} */ -}}\n${notes}`);

  // Helpers last: rendering the templates above is what registers them.
  const helpers = [...scope.helpers.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, body]) => `{{- define ${JSON.stringify(name)} -}}\n${body}\n{{- end }}`);
  files.set(
    'templates/_helpers.tpl',
    [`{{- /* ${header(definition.source)} */ -}}`, ...helpers].join('\n\n') + '\n',
  );

  files.set(
    'README.md',
    [
      `<!-- ${header(definition.source)} -->`,
      `# ${definition.name}`,
      '',
      definition.readme.trim(),
      '',
      '## Values',
      '',
      renderValuesTable(definition.valuesSchema),
      '',
    ].join('\n'),
  );
  return new Map([...files.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
