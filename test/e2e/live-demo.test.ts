// `npm start`'s program (packages/demo/dist/live/main.js) with short stages: it starts the whole loop,
// prints the live view every second, stops every process it started, exits 0 and writes the SVG chart.
// Ctrl-C ends it early the same way. (The control behaviour itself is average-latency.test.ts's.)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RunningProcess } from '@sluice/testkit';

// `npm start`'s program, which is no bin: found beside @sluice/demo's package.json, resolved by name.
const MAIN = join(
  dirname(createRequire(import.meta.url).resolve('@sluice/demo/package.json')),
  'dist/live/main.js',
);
const dirs: string[] = [];
const running: RunningProcess[] = [];

after(async () => {
  await Promise.all(running.map((demo) => demo.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function outputDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-live-demo-'));
  dirs.push(dir);
  return dir;
}

/** Ports the demo printed: its processes must be gone once it exits. */
async function refused(line: string): Promise<void> {
  const ports = [...line.matchAll(/:(\d+)/g)].map((match) => Number(match[1]));
  assert.equal(ports.length, 4, line);
  for (const port of ports) {
    await assert.rejects(
      fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) }),
      `port ${port} still serves`,
    );
  }
}

test('the live demo runs baseline → overload → recovery, shows each second, exits 0 and writes the chart', async () => {
  const dir = outputDir();
  const demo = await RunningProcess.start({
    name: 'live-demo',
    args: [MAIN, '--baseline', '3', '--overload', '3', '--recovery', '2', '--output-dir', dir],
    readyLine: /controller :\d+, agent :\d+, proxy :\d+, upstream :\d+/,
    readyTimeoutMs: 30_000,
  });
  running.push(demo);
  const exit = await Promise.race([
    demo.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`the demo did not end:\n${demo.tail()}`)), 40_000).unref(),
    ),
  ]);
  assert.equal(exit.code, 0, demo.tail());
  const lines = demo.lines;
  assert.ok(
    lines.some((line) => /^\s+\d+s baseline\s+\|/.test(line)),
    demo.tail(40),
  );
  assert.ok(
    lines.some((line) => /^\s+\d+s overload\s+\|/.test(line)),
    demo.tail(40),
  );
  assert.ok(
    lines.some((line) => /^\s+\d+s recovery\s+\|/.test(line)),
    demo.tail(40),
  );
  assert.ok(
    lines.some((line) => /During the overload Sluice admitted/.test(line)),
    demo.tail(40),
  );
  const chart = join(dir, 'sluice-demo.svg');
  assert.ok(existsSync(chart));
  const svg = readFileSync(chart, 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /subscribers admitted/);
  await refused(lines.find((line) => /controller :\d+/.test(line)) ?? '');
});

test('Ctrl-C ends the demo early, cleanly, with the chart written', async () => {
  const dir = outputDir();
  const demo = await RunningProcess.start({
    name: 'live-demo',
    args: [MAIN, '--output-dir', dir],
    readyLine: /controller :\d+, agent :\d+, proxy :\d+, upstream :\d+/,
    readyTimeoutMs: 30_000,
  });
  running.push(demo);
  await demo.waitForLine(/^\s+1s baseline/, 15_000);
  const exit = await demo.stop(15_000, 'SIGINT');
  assert.equal(exit.code, 0, demo.tail());
  assert.ok(existsSync(join(dir, 'sluice-demo.svg')));
  await refused(demo.lines.find((line) => /controller :\d+/.test(line)) ?? '');
});
