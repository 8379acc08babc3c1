import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileFlowPolicy, decodePolicyFile } from '@sluice/spec';
import { badInput, EXIT_OK } from '../cli-error.js';
import type { Command } from '../command.js';
import { issuesMessage } from './blueprints-commands.js';

export const policyValidate: Command = {
  path: ['policy', 'validate'],
  summary:
    "Validate FlowPolicy files offline with the controller's own loader and compiler; exit 2 on an invalid policy.",
  positionals: 'FILE...',
  options: {},
  async run(args, io) {
    if (args.positionals.length === 0) throw badInput('name at least one FILE');
    const problems: string[] = [];
    for (const file of args.positionals) {
      let text: string;
      try {
        text = readFileSync(resolve(io.cwd, file), 'utf8');
      } catch (error) {
        throw badInput(
          `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        );
      }
      // The controller's file source decodes and compiles exactly like this, so a file that passes here loads there.
      const decoded = decodePolicyFile(text);
      const compiled = decoded.ok ? compileFlowPolicy(decoded.document) : decoded;
      if (compiled.ok)
        io.stdout(
          `${file}: FlowPolicy ${compiled.value.policyName} is valid (hash ${compiled.value.policyHash})\n`,
        );
      else problems.push(issuesMessage(file, compiled));
    }
    if (problems.length > 0) throw badInput(problems.join('\n'));
    return EXIT_OK;
  },
};
