import assert from 'node:assert/strict';
import { test } from 'node:test';
import { originOf, summariseCpuProfile, type CpuProfile } from '../src/profile/cpu-profile-summary.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });
const AGENT = 'file:///repo/packages/agent/dist/check/check-handler.js';
const GRPC = 'file:///repo/node_modules/@grpc/grpc-js/build/src/server.js';

// root → handle (agent) → count (agent) → inc (prom-client); root → (idle); root → (garbage collector)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5, 6, 7] },
    { id: 2, callFrame: frame('handle', AGENT, 18), children: [3] },
    { id: 3, callFrame: frame('count', AGENT, 93), children: [4] },
    { id: 4, callFrame: frame('inc', 'file:///repo/node_modules/prom-client/lib/counter.js', 40) },
    { id: 5, callFrame: frame('(idle)') },
    { id: 6, callFrame: frame('(garbage collector)') },
    { id: 7, callFrame: frame('sendMessage', GRPC, 9) },
  ],
  startTime: 0,
  endTime: 10_000,
  samples: [5, 5, 2, 3, 4, 4, 4, 6, 7, 5],
};

test('self time is shared among busy samples; inclusive time follows agent frames up the stack', () => {
  const summary = summariseCpuProfile(profile);
  assert.equal(summary.samples, 10);
  assert.equal(summary.busyShare, 0.7);
  assert.deepEqual(summary.topSelf[0], {
    function: 'inc (prom-client/lib/counter.js:41)',
    origin: 'prom-client',
    share: 3 / 7,
  });
  assert.deepEqual(
    summary.topInclusive.map((entry) => [entry.function, entry.share]),
    [
      ['handle (packages/agent/dist/check/check-handler.js:19)', 5 / 7],
      ['count (packages/agent/dist/check/check-handler.js:94)', 4 / 7],
    ],
  );
  assert.deepEqual(
    summary.byOrigin.map((entry) => entry.origin),
    ['prom-client', '@sluice/agent', '(garbage collector)', '@grpc/grpc-js'],
  );
});

test('origins: workspace packages, dependencies, Node internals', () => {
  assert.equal(originOf(AGENT, 'x'), '@sluice/agent');
  assert.equal(originOf(GRPC, 'x'), '@grpc/grpc-js');
  assert.equal(originOf('node:internal/http2/core', 'x'), 'node internals');
  assert.equal(originOf('', '(program)'), '(program)');
});
