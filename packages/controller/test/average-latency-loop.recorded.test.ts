/**
 * The loop decides exactly as it did before issue 18 split it into steps: the decision sequences of
 * test/support/loop-scenarios.ts (the closed loops of the other loop tests with their seeds, the
 * synthetic capacity steps, random report sequences through every state) against digests recorded
 * once from the loop of commit 24ca651 (test/fixtures/average-latency-loop.recorded.txt).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { recordLoopScenarios } from './support/loop-scenarios.js';

const RECORDED = new URL('./fixtures/average-latency-loop.recorded.txt', import.meta.url);

/** name → "digest lines" as recorded. */
function recorded(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync(RECORDED, 'utf8').split('\n')) {
    const match = /^([0-9a-f]{32}) +([0-9]+) (.+)$/.exec(line);
    if (match !== null) entries.set(match[3] ?? '', `${match[1]} ${match[2]}`);
  }
  return entries;
}

describe('AverageLatencyLoop, decision sequences recorded before the split into steps', () => {
  it('every scenario, tick by tick: the same decisions, statuses, trace and baseline', () => {
    const expected = recorded();
    const scenarios = recordLoopScenarios();
    assert.deepEqual(
      scenarios.map((scenario) => scenario.name),
      [...expected.keys()],
      'the recorded scenarios, in order',
    );
    const differing = scenarios
      .map((scenario) => {
        const digest = createHash('sha256').update(scenario.lines.join('\n')).digest('hex').slice(0, 32);
        return { name: scenario.name, actual: `${digest} ${scenario.lines.length}` };
      })
      .filter(({ name, actual }) => expected.get(name) !== actual);
    assert.deepEqual(differing, [], 'scenarios whose sequence differs from the recording');
  });
});
