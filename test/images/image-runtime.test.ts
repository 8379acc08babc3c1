// The image runtime contract, checked without a Docker engine (none runs here): each deployable is
// staged by the same script the Dockerfile uses (production dependencies only), made read-only, and
// started as the image's non-root UID with only /tmp writable. It must become healthy and, on SIGTERM,
// drain and exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@sluice/testkit';

const ROOT = realpathSync(fileURLToPath(new URL('../../', import.meta.url)));
const IMAGE_UID = 65532;
const dockerfile = readFileSync(join(ROOT, 'images/Dockerfile'), 'utf8');

function stage(component: 'agent' | 'controller'): string {
  const out = join(mkdtempSync(join(tmpdir(), `sluice-image-${component}-`)), 'app');
  const result = spawnSync(process.execPath, [join(ROOT, 'images/stage-runtime.mjs'), component, out], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return out;
}

/** Makes the tree read-only for everyone (the image's files are root-owned and not writable by the UID). */
function makeReadOnly(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) makeReadOnly(path);
    chmodSync(path, entry.isDirectory() ? 0o555 : statSync(path).mode & 0o555);
  }
  chmodSync(dir, 0o555);
}

/**
 * Compares the staged package directories with npm's own production tree for the workspace
 * (`npm ls --omit=dev`): nothing more (no dev dependencies) and nothing less.
 */
function differenceFromNpm(app: string, component: string): { extra: string[]; missing: string[] } {
  const staged = JSON.parse(readFileSync(join(app, 'staged-packages.json'), 'utf8')) as string[];
  const listed = spawnSync(
    'npm',
    ['ls', '--omit=dev', '--all', '--parseable', '--workspace', `@sluice/${component}`],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const npmTree = new Set(
    listed.stdout
      .split('\n')
      .filter((line) => line.startsWith(ROOT) && line.length > ROOT.length)
      // Workspace packages appear as their node_modules links; compare real directories.
      .map((line) => relative(ROOT, realpathSync(line))),
  );
  return {
    extra: staged.filter((dir) => !npmTree.has(dir)),
    missing: [...npmTree].filter((dir) => !staged.includes(dir)),
  };
}

async function waitForHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited early with ${child.exitCode}:\n${output()}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling a condition, bounded by the deadline
  }
  throw new Error(`not healthy within 20 s:\n${output()}`);
}

async function runAsImage(
  component: 'agent' | 'controller',
  args: (ports: { grpc: number; http: number; api: number }) => string[],
) {
  const app = stage(component);
  const fromNpm = differenceFromNpm(app, component);
  makeReadOnly(join(app, '..'));
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-image-tmp-'));
  chmodSync(scratch, 0o1777);
  const ports = { grpc: await freePort(), http: await freePort(), api: await freePort() };
  const child = spawn(
    'setpriv',
    [
      `--reuid=${IMAGE_UID}`,
      `--regid=${IMAGE_UID}`,
      '--clear-groups',
      process.execPath,
      join(app, `packages/${component}/dist/main.js`),
      ...args(ports),
    ],
    {
      cwd: app,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin',
        HOME: '/nonexistent',
        TMPDIR: scratch,
        NODE_ENV: 'production',
      },
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitForHealthy(`http://127.0.0.1:${ports.http}/healthz`, child, () => output);
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    return { code, stopMs: Date.now() - started, fromNpm, output, app };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

test('the Dockerfile builds both targets on Node 22 slim as a non-root UID', () => {
  assert.match(dockerfile, /^FROM node:22-bookworm-slim AS build$/m);
  assert.match(dockerfile, new RegExp(`^USER ${IMAGE_UID}:${IMAGE_UID}$`, 'm'));
  assert.match(dockerfile, /^FROM runtime AS agent$/m);
  assert.match(dockerfile, /^FROM runtime AS controller$/m);
  assert.doesNotMatch(dockerfile, /HEALTHCHECK/);
  assert.match(dockerfile, /images\/stage-runtime\.mjs agent/);
});

test('the agent image runs read-only as UID 65532, is healthy, and drains on SIGTERM', async () => {
  const run = await runAsImage('agent', (ports) => [
    '--grpc-port',
    String(ports.grpc),
    '--http-port',
    String(ports.http),
  ]);
  assert.deepEqual(
    run.fromNpm,
    { extra: [], missing: [] },
    "staged packages differ from npm's production tree",
  );
  assert.equal(run.code, 0, run.output);
  assert.ok(run.stopMs < 10_000, `took ${run.stopMs} ms to stop`);
});

test('the controller image runs read-only as UID 65532, is healthy, and drains on SIGTERM', async () => {
  const policies = mkdtempSync(join(tmpdir(), 'sluice-image-policies-'));
  mkdirSync(join(policies, 'dir'));
  writeFileSync(
    join(policies, 'dir', 'protect.yaml'),
    'apiVersion: sluice.dev/v1alpha1\nkind: FlowPolicy\nmetadata: {name: protect}\nspec:\n  loadSchedulers:\n    - name: protect\n      selectors: [{controlPoint: ingress}]\n',
  );
  chmodSync(policies, 0o755);
  const run = await runAsImage('controller', (ports) => [
    '--policies',
    join(policies, 'dir'),
    '--grpc-port',
    String(ports.grpc),
    '--http-port',
    String(ports.http),
    '--api-port',
    String(ports.api),
  ]);
  assert.deepEqual(run.fromNpm, { extra: [], missing: [] });
  assert.equal(run.code, 0, run.output);
  assert.ok(run.stopMs < 10_000, `took ${run.stopMs} ms to stop`);
});
