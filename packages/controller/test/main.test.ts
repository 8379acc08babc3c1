/**
 * The real executable (dist/main.js, what `npx sluice-controller` runs) as a child process, on free
 * ports, with the example policy directory. `npm test` builds first (turbo: test dependsOn build).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@sluice/testkit';
import { FakeKubeApiServer } from './support/fake-kube-api-server.js';
import { basicServiceProtection, FIXTURE_POLICIES_DIR } from './support/fixture-policy.js';

const BIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const TOKEN = 'test-token-0123456789abcdef';

/** Resolves when the child prints a line containing `text` on stdout. */
function printed(child: ChildProcess, text: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () =>
        reject(new Error(`the controller did not print "${text}" within ${timeoutMs} ms; output:\n${seen}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (!seen.includes(text)) return;
      clearTimeout(timer);
      resolve(seen);
    });
  });
}

describe('sluice-controller executable', () => {
  let child: ChildProcess;
  let httpPort: number;
  let stateDir: string;

  before(async () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run npm run build first`);
    stateDir = mkdtempSync(join(tmpdir(), 'sluice-controller-state-'));
    const grpcPort = await freePort();
    httpPort = await freePort();
    child = spawn(
      process.execPath,
      [
        BIN,
        '--policies',
        fileURLToPath(FIXTURE_POLICIES_DIR),
        '--state-dir',
        stateDir,
        '--grpc-port',
        String(grpcPort),
        '--http-port',
        String(httpPort),
      ],
      {
        env: { ...process.env, SLUICE_CONTROLLER_API_TOKEN: TOKEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await printed(child, `HTTP API on :${httpPort}`);
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('lists the example policy as Valid on GET /v1/policies', async () => {
    const response = await fetch(`http://127.0.0.1:${httpPort}/v1/policies`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as any;
    assert.deepEqual(
      body.policies.map((policy: any) => [policy.name, policy.status, policy.message]),
      [['basic-service-protection', 'Valid', '']],
    );
    assert.match(body.policies[0].hash, /^[0-9a-f]{32}$/);
    assert.deepEqual(
      body.policies[0].controlLoops.map((loop: any) => [loop.componentId, loop.state, loop.passThrough]),
      [['service1', 'warming-up', true]],
    );
  });

  it('requires the bearer token on /v1 but not on the probes', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${httpPort}/v1/policies`)).status, 401);
    assert.equal(
      (
        await fetch(`http://127.0.0.1:${httpPort}/v1/agents`, {
          headers: { authorization: 'Bearer wrong-token-0123456789ab' },
        })
      ).status,
      401,
    );
    assert.equal((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status, 200);
  });

  it('stops cleanly on SIGTERM with exit code 0', async () => {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
  });
});

describe('sluice-controller bad input', () => {
  interface Run {
    status: number | null;
    stderr: string;
  }
  /** Runs the executable to completion; the four runs below start together to save wall time. */
  function run(args: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '' }): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (status) => resolve({ status, stderr }));
    });
  }
  let badPort: Promise<Run>;
  let noSource: Promise<Run>;
  let unknownFlag: Promise<Run>;
  let shortToken: Promise<Run>;
  let unsafeLease: Promise<Run>;

  before(() => {
    badPort = run(['--policies', fileURLToPath(FIXTURE_POLICIES_DIR), '--grpc-port', 'eighty']);
    noSource = run([]);
    unknownFlag = run(['--polices', 'x']);
    unsafeLease = run(['--policies', '.', '--leader-election', '--renew-deadline', '9s']);
    shortToken = run(['--policies', '.'], {
      PATH: process.env.PATH ?? '',
      SLUICE_CONTROLLER_API_TOKEN: 'hunter2',
    });
  });

  it('exits 2 naming the flag, the value and what is allowed', async () => {
    const result = await badPort;
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /grpcPort \(from flag --grpc-port\): "eighty" is not allowed; expected number/,
    );
  });

  it('exits 2 without a policy source', async () => {
    const result = await noSource;
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^no policy source: pass --policies DIR or --kubernetes/);
  });

  it('exits 2 on an unknown flag', async () => {
    const result = await unknownFlag;
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Unknown option '--polices'/);
  });

  it('exits 2 on leader election timings that could let two leaders act, naming the flag and the rule', async () => {
    const result = await unsafeLease;
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /renewDeadline \(from flag --renew-deadline\): "9s" is not allowed; must be shorter than leaseDuration \(8s\)/,
    );
  });

  it('exits 2 on a token too short to be safe, without printing the token', async () => {
    const result = await shortToken;
    assert.equal(result.status, 2);
    assert.match(result.stderr, /SLUICE_CONTROLLER_API_TOKEN: must be at least 16 characters/);
    assert.doesNotMatch(result.stderr, /hunter2/);
  });
});

describe('sluice-controller --kubernetes (against the fake API server of kubernetes-policy-source.test.ts)', () => {
  it('lists the FlowPolicy of its namespace as Valid and writes Ready=True to its status', async () => {
    const fake = new FakeKubeApiServer('demo-system');
    await fake.start();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-kubeconfig-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, fake.kubeConfig().exportConfig());
    fake.apply(basicServiceProtection() as { metadata: { name: string }; spec: unknown });
    const httpPort = await freePort();
    const child = spawn(
      process.execPath,
      [
        BIN,
        '--kubernetes',
        '--namespace',
        'demo-system',
        '--grpc-port',
        String(await freePort()),
        '--http-port',
        String(httpPort),
      ],
      {
        env: { PATH: process.env.PATH ?? '', KUBECONFIG: kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      await printed(child, `HTTP API on :${httpPort}`);
      const body = (await (await fetch(`http://127.0.0.1:${httpPort}/v1/policies`)).json()) as any;
      assert.deepEqual(
        body.policies.map((policy: any) => [policy.source, policy.status]),
        [['demo-system/basic-service-protection', 'Valid']],
      );
      // Readiness waited for the first list, whose status write precedes it.
      const status = fake.get('basic-service-protection')?.status as any;
      assert.equal(status.conditions[0].status, 'True');
      assert.equal(status.observedGeneration, 1);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      assert.deepEqual(await exited, [0, null]);
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
