import { stringify } from 'yaml';
import { badInput, EXIT_OK } from '../cli-error.js';
import type { Command } from '../command.js';
import { CONTROLLER_OPTIONS, ControllerClient } from '../controller-client.js';
import { outputOption, parseOutputFormat, renderRecords } from '../output-format.js';

interface ControlPointRow {
  readonly agentGroup: string;
  readonly service: string;
  readonly controlPoint: string;
  readonly type: string;
}

export const flowControlControlPoints: Command = {
  path: ['flow-control', 'control-points'],
  summary: 'List control points the agents have seen traffic on (through the controller).',
  options: {
    ...CONTROLLER_OPTIONS,
    output: outputOption(),
  },
  async run(args, io) {
    const format = parseOutputFormat(args.options['output'] as string | undefined);
    const client = ControllerClient.fromArguments(args, io);
    const { controlPoints } = await client.get<{ controlPoints: ControlPointRow[] }>('/v1/control-points');
    const rows = [...controlPoints].sort(
      (a, b) =>
        a.agentGroup.localeCompare(b.agentGroup) ||
        a.service.localeCompare(b.service) ||
        a.controlPoint.localeCompare(b.controlPoint),
    );
    io.stdout(
      renderRecords(format, rows, [
        { title: 'AGENT GROUP', cell: (row) => row.agentGroup },
        { title: 'SERVICE', cell: (row) => row.service },
        { title: 'NAME', cell: (row) => row.controlPoint },
        { title: 'TYPE', cell: (row) => row.type },
      ]),
    );
    return EXIT_OK;
  },
};

function labelMatcher(pairs: string[] | undefined): Record<string, string> | undefined {
  if (pairs === undefined || pairs.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw badInput(`--label-matcher: "${pair}" is not KEY=VALUE`);
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}

export const flowControlPreview: Command = {
  path: ['flow-control', 'preview'],
  summary: 'Sample live flows at a control point: their flow labels, or with --http the full request.',
  positionals: 'CONTROL_POINT',
  options: {
    ...CONTROLLER_OPTIONS,
    service: { type: 'string', valueName: 'SERVICE', description: 'Service FQDN (default: any service).' },
    samples: { type: 'string', valueName: 'N', description: 'How many flows to sample (default 10).' },
    http: { type: 'boolean', description: 'Return the full HTTP request documents instead of flow labels.' },
    'label-matcher': {
      type: 'string',
      multiple: true,
      valueName: 'K=V',
      description: 'Only flows with this label (repeatable).',
    },
    timeout: {
      type: 'string',
      valueName: 'DURATION',
      description: 'How long the agents sample (default 10s, at most 60s).',
    },
    output: outputOption(['json', 'yaml']),
  },
  async run(args, io) {
    const [controlPoint, ...extra] = args.positionals;
    if (controlPoint === undefined || extra.length > 0) throw badInput('name exactly one CONTROL_POINT');
    const format = parseOutputFormat(args.options['output'] as string | undefined, ['json', 'yaml']);
    const samplesText = args.options['samples'] as string | undefined;
    const samples = samplesText === undefined ? undefined : Number(samplesText);
    if (samples !== undefined && (!Number.isInteger(samples) || samples < 1))
      throw badInput(`--samples: "${samplesText}" is not a positive whole number`);
    const matchLabels = labelMatcher(args.options['label-matcher'] as string[] | undefined);
    const client = ControllerClient.fromArguments(args, io);
    const answer = await client.post<{ flowLabels: unknown[]; httpRequests: unknown[]; agents: unknown[] }>(
      '/v1/preview',
      {
        controlPoint,
        ...(args.options['service'] !== undefined ? { service: args.options['service'] } : {}),
        ...(samples !== undefined ? { samples } : {}),
        ...(matchLabels !== undefined ? { labelMatcher: { matchLabels } } : {}),
        ...(args.options['timeout'] !== undefined ? { timeout: args.options['timeout'] } : {}),
        kind: args.options['http'] === true ? 'http-request' : 'flow-labels',
      },
    );
    const result = {
      samples: args.options['http'] === true ? answer.httpRequests : answer.flowLabels,
      agents: answer.agents,
    };
    io.stdout(format === 'yaml' ? stringify(result) : `${JSON.stringify(result, null, 2)}\n`);
    return EXIT_OK;
  },
};
