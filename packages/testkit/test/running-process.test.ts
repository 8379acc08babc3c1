import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunningProcess } from '../src/index.js';

const PRINTS =
  "console.log('one'); console.error('two'); setTimeout(() => console.log('three'), 50); setInterval(() => {}, 1000);";

test('RunningProcess keeps stdout and stderr lines, stamped, and waits for later ones', async () => {
  const child = await RunningProcess.start({ name: 'printer', args: ['-e', PRINTS], readyLine: /^one$/ });
  try {
    const three = await child.waitForLine(/^three$/, 5_000);
    assert.equal(three.text, 'three');
    assert.deepEqual([...child.lines].sort(), ['one', 'three', 'two']);
    assert.equal(child.stampedLines.length, 3);
    const first = child.stampedLines[0]?.atMs ?? Infinity;
    assert.ok(three.atMs >= first, `three at ${three.atMs}, first line at ${first}`);
    assert.equal((await child.waitForLine(/^one$/, 10)).text, 'one');
  } finally {
    const exit = await child.stop();
    assert.equal(exit.signal, 'SIGTERM');
  }
});

test('RunningProcess rejects a wait when the process exits first, naming it and its output', async () => {
  const child = RunningProcess.spawn({
    name: 'quitter',
    args: ['-e', "console.log('bye'); process.exit(3)"],
  });
  await assert.rejects(
    child.waitForLine(/never/, 10_000),
    /quitter exited \(3\) before \/never\/; output:\nbye/,
  );
  assert.deepEqual(await child.exited, { code: 3, signal: null });
});

test('RunningProcess passes only the given environment when inheritEnv is false', async () => {
  const child = RunningProcess.spawn({
    name: 'env',
    inheritEnv: false,
    env: { ONLY: 'this' },
    args: ['-e', 'console.log(Object.keys(process.env).sort().join(","))'],
  });
  await child.exited;
  assert.equal(child.lines[0], 'ONLY');
});
