import { EXIT_OK } from '../cli-error.js';
import type { Command } from '../command.js';
import { CONTROLLER_OPTIONS, ControllerClient } from '../controller-client.js';
import { outputOption, parseOutputFormat, renderRecords } from '../output-format.js';

interface PolicyRow {
  readonly name: string | null;
  readonly source: string;
  readonly status: string;
  readonly message: string;
  readonly hash: string | null;
  readonly controlLoops: {
    componentId: string;
    signalMs: number | null;
    setpointMs: number | null;
    loadMultiplier: number | null;
    passThrough: boolean;
  }[];
}

const number = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined ? '-' : value.toFixed(digits);

export const policyList: Command = {
  path: ['policy', 'list'],
  summary: 'List the policies the controller runs, with their status and control-loop state.',
  options: {
    ...CONTROLLER_OPTIONS,
    output: outputOption(),
  },
  async run(args, io) {
    const format = parseOutputFormat(args.options['output'] as string | undefined);
    const { policies } = await ControllerClient.fromArguments(args, io).get<{ policies: PolicyRow[] }>(
      '/v1/policies',
    );
    const loop = (row: PolicyRow) => row.controlLoops[0];
    io.stdout(
      renderRecords(format, policies, [
        { title: 'NAME', cell: (row) => row.name ?? row.source },
        { title: 'STATUS', cell: (row) => row.status },
        { title: 'HASH', cell: (row) => (row.hash ?? '-').slice(0, 12) },
        { title: 'SIGNAL MS', cell: (row) => number(loop(row)?.signalMs, 1) },
        { title: 'SETPOINT MS', cell: (row) => number(loop(row)?.setpointMs, 1) },
        {
          title: 'LM',
          cell: (row) => (loop(row)?.passThrough === false ? number(loop(row)?.loadMultiplier, 2) : 'pass'),
        },
        { title: 'MESSAGE', cell: (row) => row.message },
      ]),
    );
    return EXIT_OK;
  },
};
