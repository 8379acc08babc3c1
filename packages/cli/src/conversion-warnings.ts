import type { ApertureWarning } from '@sluice/spec';
import type { CliIo } from './cli-io.js';

/**
 * What a conversion accepted but the FlowPolicy does not carry goes to stderr, one line each, so stdout
 * stays the policy alone and nothing is lost without a word.
 */
export function reportWarnings(io: CliIo, source: string, warnings: readonly ApertureWarning[]): void {
  for (const warning of warnings) io.stderr(`warning: ${source}: ${warning.path}: ${warning.note}\n`);
}
