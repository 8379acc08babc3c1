import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  h2loadDurationSeconds,
  parseH2loadLog,
  parseH2loadSummary,
} from '../src/decision-path/h2load-output.js';

const OUTPUT = `starting benchmark...
finished in 1.86s, 21465.12 req/s, 949.39KB/s
requests: 40000 total, 40000 started, 39990 done, 39980 succeeded, 10 failed, 3 errored, 2 timeout
status codes: 40000 2xx, 0 3xx, 0 4xx, 0 5xx
`;

test('the summary gives rate, counts and elapsed time', () => {
  assert.deepEqual(parseH2loadSummary(OUTPUT), {
    elapsedSeconds: 1.86,
    requestsPerSecond: 21465.12,
    total: 40000,
    done: 39990,
    succeeded: 39980,
    failed: 10,
    errored: 3,
    timedOut: 2,
  });
  assert.throws(() => parseH2loadSummary('connect failed'), /no h2load summary/);
  assert.equal(h2loadDurationSeconds('512.19ms'), 0.51219);
  assert.equal(h2loadDurationSeconds('92us'), 0.000092);
});

test('the log file gives the latency of 2xx requests in ms', () => {
  assert.deepEqual(
    parseH2loadLog('1795600670836507\t200\t27696\n1795600670836508\t503\t100\n1\t200\t500\n'),
    [27.696, 0.5],
  );
});
