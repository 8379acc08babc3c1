import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  convertApertureValuesFile,
  formatIssue,
  unsupportedBlueprintIssue,
  type FlowPolicyInput,
  type ParseResult,
} from '@sluice/spec';
import { stringify } from 'yaml';
import { badInput, EXIT_OK } from '../cli-error.js';
import type { Command } from '../command.js';
import { commentedValues } from '../commented-values.js';
import { reportWarnings } from '../conversion-warnings.js';
import { readDocument, requireOption, STDIN_NAME } from '../input-file.js';
import { outputOption, parseOutputFormat, renderData, renderRecords } from '../output-format.js';
import { BLUEPRINTS, findBlueprint, type Blueprint } from './blueprint-catalog.js';

function blueprintNamed(name: string): Blueprint {
  const blueprint = findBlueprint(name);
  if (blueprint === undefined) throw badInput(formatIssue(unsupportedBlueprintIssue(name, '--name')));
  return blueprint;
}

/** Aperture's files are snake_case (`policy.policy_name`); Sluice's are camelCase (`policy.policyName`). */
export function isApertureValues(document: unknown): boolean {
  const policy = (document as { policy?: Record<string, unknown> } | null)?.policy;
  return typeof policy === 'object' && policy !== null && 'policy_name' in policy;
}

export function issuesMessage(source: string, result: ParseResult<unknown>): string {
  if (result.ok) return '';
  return `${source} is invalid:\n${result.issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n')}`;
}

export const blueprintsList: Command = {
  path: ['blueprints', 'list'],
  summary: 'List the blueprints sluicectl can generate policies from.',
  options: { output: outputOption() },
  async run(args, io) {
    const format = parseOutputFormat(args.options['output'] as string | undefined);
    io.stdout(
      renderRecords(
        format,
        BLUEPRINTS.map(({ name, summary }) => ({ name, summary })),
        [
          { title: 'NAME', cell: (record) => record.name },
          { title: 'SUMMARY', cell: (record) => record.summary },
        ],
      ),
    );
    return EXIT_OK;
  },
};

export const blueprintsValues: Command = {
  path: ['blueprints', 'values'],
  summary: 'Print (or write) a commented values file for a blueprint, ready to edit.',
  options: {
    name: {
      type: 'string',
      valueName: 'NAME',
      required: true,
      description: 'Blueprint name, e.g. load-scheduling/average-latency.',
    },
    'output-file': {
      type: 'string',
      valueName: 'FILE',
      description: 'Write the values file here instead of printing it.',
    },
    output: {
      ...outputOption(['yaml', 'json']),
      description: 'yaml (default: commented, every key explained) or json (the example values only).',
    },
  },
  async run(args, io) {
    const blueprint = blueprintNamed(requireOption(args.options['name'], 'name'));
    const format = parseOutputFormat(args.options['output'] as string | undefined, ['yaml', 'json']);
    const text =
      format === 'json'
        ? renderData('json', blueprint.example)
        : commentedValues(blueprint.schema, blueprint.example, `Values for the ${blueprint.name} blueprint.`);
    const outputFile = args.options['output-file'] as string | undefined;
    if (outputFile === undefined) {
      io.stdout(text);
      return EXIT_OK;
    }
    const file = resolve(io.cwd, outputFile);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    io.stdout(`wrote ${file}\n`);
    return EXIT_OK;
  },
};

export const blueprintsGenerate: Command = {
  path: ['blueprints', 'generate'],
  summary: 'Generate a FlowPolicy from a blueprint values file (Sluice or Aperture style).',
  options: {
    name: {
      type: 'string',
      valueName: 'NAME',
      description:
        'Blueprint name; optional for an Aperture file naming its blueprint (must match when both do).',
    },
    local: {
      type: 'boolean',
      description:
        "Aperture files: convert rate limits to per-agent local buckets instead of redis (Aperture's limits are global).",
    },
    'values-file': {
      type: 'string',
      valueName: 'FILE',
      required: true,
      description: 'Values file (Sluice camelCase or Aperture snake_case); - reads standard input.',
    },
    'output-dir': {
      type: 'string',
      valueName: 'DIR',
      description: 'Write the policy to DIR/policies/NAME.yaml instead of printing it.',
    },
    output: outputOption(['yaml', 'json']),
  },
  async run(args, io) {
    const valuesFile = requireOption(args.options['values-file'], 'values-file');
    const format = parseOutputFormat(args.options['output'] as string | undefined, ['yaml', 'json']);
    const source = valuesFile === '-' ? STDIN_NAME : valuesFile;
    const document = readDocument(io, valuesFile);
    const name = args.options['name'];
    let blueprintName: string;
    let result: ParseResult<FlowPolicyInput>;
    if (isApertureValues(document)) {
      // aperturectl writes the blueprint into the file, so --name is only a cross-check there.
      const converted = convertApertureValuesFile(document, typeof name === 'string' ? name : undefined, {
        rateLimitBackend: args.options['local'] === true ? 'local' : 'redis',
      });
      if (!converted.ok) throw badInput(issuesMessage(source, converted));
      reportWarnings(io, source, converted.warnings);
      blueprintName = converted.blueprint;
      result = converted;
    } else {
      const blueprint = blueprintNamed(requireOption(name, 'name'));
      blueprintName = blueprint.name;
      result = blueprint.build(document);
    }
    if (!result.ok) throw badInput(issuesMessage(source, result));
    const header = `# Generated by sluicectl blueprints generate --name ${blueprintName} from ${source}\n`;
    const outputDir = args.options['output-dir'] as string | undefined;
    if (outputDir === undefined) {
      io.stdout(format === 'json' ? renderData('json', result.value) : header + stringify(result.value));
      return EXIT_OK;
    }
    const file = join(resolve(io.cwd, outputDir), 'policies', `${result.value.metadata.name}.yaml`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, header + stringify(result.value));
    io.stdout(`wrote ${file}\n`);
    return EXIT_OK;
  },
};
