import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../src/index.js';

test('waitFor returns the first value that is neither undefined nor false, after that many checks', async () => {
  let checks = 0;
  const value = await waitFor(
    () => {
      checks += 1;
      if (checks === 2) throw new Error('not yet');
      return checks >= 4 ? checks * 10 : false;
    },
    { timeoutMs: 5_000, intervalMs: 1, what: 'the fourth check' },
  );
  assert.equal(value, 40);
  assert.equal(checks, 4);
});

test('waitFor names what it awaited and the last error at the deadline', async () => {
  await assert.rejects(
    waitFor(
      () => {
        throw new Error('refused');
      },
      { timeoutMs: 30, intervalMs: 5, what: 'a port' },
    ),
    /timed out after 30 ms waiting for a port \(last error: refused\)/,
  );
});
