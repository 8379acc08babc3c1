import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProcStatTicks, processCpuSeconds } from '../src/system/process-cpu.js';

test('utime + stime are read after the command name, whatever it contains', () => {
  const stat = '28174 (node (x) y) S 1 28171 21060 0 -1 4194304 26266 0 0 0 61 10 0 0 20 0 12 0 119733';
  assert.equal(parseProcStatTicks(stat), 71);
  assert.throws(() => parseProcStatTicks('garbage'), /not a \/proc/);
});

test('this process has used some CPU', { skip: process.platform !== 'linux' }, () => {
  assert.ok(processCpuSeconds(process.pid) > 0);
});
