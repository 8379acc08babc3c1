/**
 * Command line of `npm run soak`: how long the paced run lasts. Parsed at the boundary; anything else
 * is an error naming what is allowed. Pure.
 */

/** The soak the issue asks for: 10 minutes at half the agent's peak. */
export const DEFAULT_SOAK_MINUTES = 10;

export interface SoakOptions {
  /** Length of the paced run with policy churn, minutes (the peak measurement comes before it). */
  readonly minutes: number;
}

export const SOAK_USAGE = `usage: npm run soak [-- [--minutes N]]
  --minutes N  length of the paced run, default ${DEFAULT_SOAK_MINUTES}; shorter runs are for development
               (warm-up and the compared windows scale with it: first 20%, then 10% after it vs the last 10%)
Exit code: 0 every check PASS, 1 a MISS (or the soak could not finish), 2 bad arguments, no build or no h2load.
Results: a table on stdout, JSON in dist/bench/soak.json (soak-<N>min.json for other lengths).
`;

export class SoakUsageError extends Error {}

/** The shortest run whose windows still hold several samples and whose churn pushes at least twice. */
const MIN_MINUTES = 0.25;

/** @throws SoakUsageError for an unknown flag or a length that is not a number ≥ 0.25. */
export function parseSoakArgs(args: readonly string[]): SoakOptions | 'help' {
  let minutes = DEFAULT_SOAK_MINUTES;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    const value = arg.startsWith('--minutes=')
      ? arg.slice('--minutes='.length)
      : arg === '--minutes'
        ? args[++index]
        : undefined;
    if (value !== undefined || arg === '--minutes') {
      const parsed = Number(value);
      if (value === undefined || value.trim() === '' || !Number.isFinite(parsed) || parsed < MIN_MINUTES)
        throw new SoakUsageError(`--minutes: "${value ?? ''}" is not a number of minutes ≥ ${MIN_MINUTES}`);
      minutes = parsed;
      continue;
    }
    throw new SoakUsageError(`unknown argument "${arg}"\n${SOAK_USAGE}`);
  }
  return { minutes };
}

/** `soak.json` for the standard length, `soak-0.5min.json` otherwise, so a short run never replaces a full one. */
export function soakOutputName(options: SoakOptions): string {
  return options.minutes === DEFAULT_SOAK_MINUTES ? 'soak' : `soak-${options.minutes}min`;
}
