import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBenchArgs, STAGES } from '../src/bench-options.js';

test('every stage by default; --only keeps the canonical order; --quick', () => {
  assert.deepEqual(parseBenchArgs([]), { stages: [...STAGES], quick: false });
  assert.deepEqual(parseBenchArgs(['--only', 'synthesis,decision-path', '--quick']), {
    stages: ['decision-path', 'synthesis'],
    quick: true,
  });
  assert.equal(parseBenchArgs(['--help']), 'help');
});

test('an unknown stage or flag names what is allowed', () => {
  assert.throws(() => parseBenchArgs(['--only=speed']), /unknown stage "speed"; stages are decision-path/);
  assert.throws(() => parseBenchArgs(['--fast']), /unknown argument "--fast"/);
});
