import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRunChart } from '../src/live/svg-chart.js';
import { viewHeader, viewLine } from '../src/live/live-view.js';
import type { RunSecond } from '../src/live/run-record.js';

const WORKLOADS = ['subscribers', 'guests'];

function second(index: number, stage: string, loadMultiplier: number | undefined): RunSecond {
  return {
    second: index,
    stage,
    workloads: {
      subscribers: { offered: 12, admitted: 12, rejected: 0 },
      guests: { offered: 48, admitted: 10, rejected: 38 },
    },
    upstreamP50Ms: 101,
    upstreamP90Ms: index === 2 ? Number.NaN : 180,
    setpointMs: index === 0 ? undefined : 117,
    loadMultiplier,
    loopState: loadMultiplier === undefined ? 'pass-through' : 'throttling',
  };
}

const run = [
  second(0, 'baseline', undefined),
  second(1, 'overload', 0.4),
  second(2, 'overload', 0.35),
  second(3, 'recovery', undefined),
];

test('the chart is a standalone SVG with a panel per measure and the stages labelled', () => {
  const svg = renderRunChart(run, { title: 'demo <run>', workloads: WORKLOADS });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  for (const text of [
    'Requests per second',
    'Upstream latency',
    'Load multiplier',
    'subscribers admitted',
    'guests offered',
    'setpoint',
    'overload',
    'recovery',
  ])
    assert.ok(svg.includes(text), text);
  assert.ok(svg.includes('demo &lt;run&gt;'), 'the title is escaped');
  assert.doesNotMatch(svg, /NaN|undefined/);
});

test('the chart is deterministic and survives an empty run', () => {
  assert.equal(
    renderRunChart(run, { title: 't', workloads: WORKLOADS }),
    renderRunChart(run, { title: 't', workloads: WORKLOADS }),
  );
  const empty = renderRunChart([], { title: 't', workloads: WORKLOADS });
  assert.match(empty, /<\/svg>/);
  assert.doesNotMatch(empty, /NaN/);
});

test('the live view shows counts per workload, upstream latency, setpoint and LM', () => {
  assert.match(
    viewHeader(WORKLOADS),
    /subscribers off\/adm\/rej.*guests off\/adm\/rej.*p50.*p90.*setpoint.*LM/,
  );
  const throttling = viewLine(run[1] as RunSecond, WORKLOADS);
  assert.match(throttling, /^ {2}1s overload/);
  assert.match(throttling, /12\s+12\s+0/);
  assert.match(throttling, /48\s+10\s+38/);
  assert.match(throttling, /180ms/);
  assert.match(throttling, /117ms 0\.40$/);
  assert.match(viewLine(run[0] as RunSecond, WORKLOADS), /pass$/);
  assert.match(viewLine(run[2] as RunSecond, WORKLOADS), /\s+-\s/);
});
