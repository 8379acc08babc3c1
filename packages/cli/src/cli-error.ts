/** Exit codes: 0 success, 1 failure (something went wrong while doing the work), 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** An error the CLI reports as one message and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: typeof EXIT_FAILURE | typeof EXIT_BAD_INPUT,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const badInput = (message: string): CliError => new CliError(message, EXIT_BAD_INPUT);
export const failure = (message: string): CliError => new CliError(message, EXIT_FAILURE);
