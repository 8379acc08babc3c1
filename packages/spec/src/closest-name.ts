/**
 * "Did you mean": the candidate nearest to a misspelt name, for errors about unknown keys, commands and
 * flags. Distance is optimal string alignment (Levenshtein plus adjacent transpositions), compared
 * case-insensitively so `limitByLabelkey` finds `limitByLabelKey` at distance 0 after folding.
 */

/** Edit distance with insertions, deletions, substitutions and swaps of neighbouring characters. */
export function editDistance(a: string, b: string): number {
  const cols = b.length + 1;
  // One flat table, row-major; reads outside the filled part cannot happen, so `cell` never sees a hole.
  const table = new Uint32Array((a.length + 1) * cols);
  const cell = (i: number, j: number): number => table[i * cols + j] ?? 0;
  for (let j = 0; j < cols; j++) table[j] = j;
  for (let i = 1; i <= a.length; i++) {
    table[i * cols] = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(cell(i - 1, j) + 1, cell(i, j - 1) + 1, cell(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, cell(i - 2, j - 2) + 1);
      }
      table[i * cols + j] = best;
    }
  }
  return cell(a.length, b.length);
}

/**
 * The candidate closest to `input`, or undefined when none is close enough to be a plausible typo:
 * at most a third of the input's length in edits (at most 3; names under three characters must match
 * but for case), so `foo` never suggests `rateLimit`.
 */
export function closestName(input: string, candidates: readonly string[]): string | undefined {
  const folded = input.toLowerCase();
  const allowed = Math.min(3, Math.floor(input.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const distance = editDistance(folded, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}

/** ` (did you mean "x"?)` or the empty string, ready to append to an error message. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const suggestion = closestName(input, candidates);
  return suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
}
