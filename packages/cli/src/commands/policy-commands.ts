import { parseFlowPolicy } from '@sluice/spec';
import { badInput, EXIT_OK } from '../cli-error.js';
import type { Command } from '../command.js';
import { readDocuments } from '../input-file.js';
import { issuesMessage } from './blueprints-commands.js';

export const policyValidate: Command = {
  path: ['policy', 'validate'],
  summary: 'Validate FlowPolicy files offline with the controller\'s own loader; exit 2 on an invalid policy.',
  positionals: 'FILE...',
  options: {},
  async run(args, io) {
    if (args.positionals.length === 0) throw badInput('name at least one FILE');
    const problems: string[] = [];
    for (const file of args.positionals) {
      readDocuments(io.cwd, file).forEach((document, index) => {
        const source = `${file}${index > 0 ? ` (document ${index + 1})` : ''}`;
        const result = parseFlowPolicy(document);
        if (result.ok) io.stdout(`${source}: FlowPolicy ${result.value.metadata.name} is valid\n`);
        else problems.push(issuesMessage(source, result));
      });
    }
    if (problems.length > 0) throw badInput(problems.join('\n'));
    return EXIT_OK;
  },
};
