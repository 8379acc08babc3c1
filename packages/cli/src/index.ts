export { runCli, commandHelp } from './cli-app.js';
export { COMMANDS } from './commands/index.js';
export type { Command, OptionSpec, ParsedArguments } from './command.js';
export type { CliIo } from './cli-io.js';
export { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK } from './cli-error.js';
export { renderTable, renderRecords, parseOutputFormat } from './output-format.js';
