/**
 * Command line of `npm run bench`: which stages run and how long. Parsed at the boundary; an unknown
 * flag or stage is an error naming what is allowed. Pure.
 */

export const STAGES = ['decision-path', 'access-log', 'profile', 'synthesis', 'control-quality'] as const;
export type StageName = (typeof STAGES)[number];

export interface BenchOptions {
  readonly stages: readonly StageName[];
  /** Seconds instead of minutes: one repeat, short runs, fewer scales. For development, not for figures. */
  readonly quick: boolean;
}

export const USAGE = `usage: npm run bench [-- [--only STAGE[,STAGE...]] [--quick]]
  stages: ${STAGES.join(', ')} (default: all, in this order)
  --quick  one repeat and short runs, to try the benchmarks out; its figures are not comparable
Results: a table on stdout, JSON and SVG charts in dist/bench/.
`;

export class UsageError extends Error {}

/** @throws UsageError for an unknown flag or stage. */
export function parseBenchArgs(args: readonly string[]): BenchOptions | 'help' {
  let stages: StageName[] = [...STAGES];
  let quick = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--quick') {
      quick = true;
      continue;
    }
    const only = arg.startsWith('--only=')
      ? arg.slice('--only='.length)
      : arg === '--only'
        ? args[++index]
        : undefined;
    if (only !== undefined) {
      const names = only.split(',').filter((name) => name !== '');
      const unknown = names.filter((name) => !(STAGES as readonly string[]).includes(name));
      if (names.length === 0 || unknown.length > 0)
        throw new UsageError(
          `--only: unknown stage "${unknown.join(', ') || only}"; stages are ${STAGES.join(', ')}`,
        );
      // Keep the canonical order: the access-log and profile stages reuse the decision path's results.
      stages = STAGES.filter((stage) => names.includes(stage));
      continue;
    }
    throw new UsageError(`unknown argument "${arg}"\n${USAGE}`);
  }
  return { stages, quick };
}
