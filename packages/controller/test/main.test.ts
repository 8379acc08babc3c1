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
import { status as grpcStatus } from '@grpc/grpc-js';
import { freePort } from '@sluice/testkit';
import { TestAgent } from './support/agent-client.js';
import { FakeKubeApiServer } from '@sluice/testkit';
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
  let apiPort: number;
  let stateDir: string;

  before(async () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run npm run build first`);
    stateDir = mkdtempSync(join(tmpdir(), 'sluice-controller-state-'));
    const grpcPort = await freePort();
    httpPort = await freePort();
    apiPort = await freePort();
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
        '--api-port',
        String(apiPort),
      ],
      {
        env: { ...process.env, SLUICE_CONTROLLER_API_TOKEN: TOKEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output = await printed(child, `API on 0.0.0.0:${apiPort} (token required)`);
    // No agent authentication configured: AgentSync stays on loopback.
    assert.match(
      output,
      /AgentSync on 127\.0\.0\.1:[0-9]+ \(agent auth none\), probes and \/metrics on 0\.0\.0\.0:/,
    );
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('lists the example policy as Valid on GET /v1/policies', async () => {
    const response = await fetch(`http://127.0.0.1:${apiPort}/v1/policies`, {
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

  it('requires the bearer token on /v1 but not on the probes, which have their own port', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${apiPort}/v1/policies`)).status, 401);
    assert.equal((await fetch(`http://127.0.0.1:${httpPort}/v1/policies`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${apiPort}/metrics`)).status, 404);
    assert.equal(
      (
        await fetch(`http://127.0.0.1:${apiPort}/v1/agents`, {
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
  let openApi: Promise<Run>;
  let tokenModeWithoutFile: Promise<Run>;
  let shortAgentToken: Promise<Run>;
  let kubernetesWithoutAccount: Promise<Run>;

  before(() => {
    badPort = run(['--policies', fileURLToPath(FIXTURE_POLICIES_DIR), '--grpc-port', 'eighty']);
    noSource = run([]);
    unknownFlag = run(['--polices', 'x']);
    unsafeLease = run(['--policies', '.', '--leader-election', '--renew-deadline', '9s']);
    shortToken = run(['--policies', '.'], {
      PATH: process.env.PATH ?? '',
      SLUICE_CONTROLLER_API_TOKEN: 'hunter2',
    });
    openApi = run(['--policies', '.', '--api-bind-address', '0.0.0.0']);
    tokenModeWithoutFile = run(['--policies', '.', '--agent-auth', 'token']);
    const shortTokenFile = join(mkdtempSync(join(tmpdir(), 'sluice-short-token-')), 'token');
    writeFileSync(shortTokenFile, 'hunter2\n');
    shortAgentToken = run(['--policies', '.', '--agent-token-file', shortTokenFile]);
    kubernetesWithoutAccount = run(['--kubernetes']);
  });

  it('exits 2 on an API bound beyond loopback without a token, naming the key and the fix', async () => {
    const result = await openApi;
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /^apiBindAddress: "0\.0\.0\.0" is not allowed without an API token; set SLUICE_CONTROLLER_API_TOKEN/,
    );
  });

  it('exits 2 on agent authentication it cannot do: token without a file, a short token, kubernetes without the account', async () => {
    const [withoutFile, short, withoutAccount] = await Promise.all([
      tokenModeWithoutFile,
      shortAgentToken,
      kubernetesWithoutAccount,
    ]);
    assert.equal(withoutFile.status, 2);
    assert.match(withoutFile.stderr, /agentTokenFile: .*is required with agentAuth token/);
    assert.equal(short.status, 2);
    assert.match(short.stderr, /agentTokenFile: ".*" holds 7 characters; at least 16 are required/);
    assert.doesNotMatch(short.stderr, /hunter2/);
    assert.equal(withoutAccount.status, 2);
    assert.match(withoutAccount.stderr, /agentServiceAccount: .*is required with agentAuth kubernetes/);
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
  it('creates its runtime Secrets, requires the API token from one, admits agents by TokenReview, and lists the FlowPolicy as Valid', async () => {
    const fake = new FakeKubeApiServer('demo-system');
    await fake.start();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-kubeconfig-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, fake.kubeConfig().exportConfig());
    fake.apply(basicServiceProtection() as { metadata: { name: string }; spec: unknown });
    const [grpcPort, httpPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [
        BIN,
        '--kubernetes',
        '--namespace',
        'demo-system',
        '--grpc-port',
        String(grpcPort),
        '--http-port',
        String(httpPort),
        '--api-port',
        String(apiPort),
        '--bind-address',
        '127.0.0.1',
        '--api-token-secret',
        'sluice-api-token',
        '--record-key-secret',
        'sluice-record-key',
        '--agent-service-account',
        'demo-system/sluice-agent',
      ],
      {
        env: { PATH: process.env.PATH ?? '', KUBECONFIG: kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const agents: TestAgent[] = [];
    try {
      await printed(child, `API on 127.0.0.1:${apiPort} (token required)`);
      const token = Buffer.from(fake.secrets.get('sluice-api-token')?.data.token ?? '', 'base64').toString(
        'utf8',
      );
      assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'base64url of 32 random bytes');
      assert.equal(
        Buffer.from(fake.secrets.get('sluice-record-key')?.data['record-key'] ?? '', 'base64').length,
        32,
      );
      assert.equal((await fetch(`http://127.0.0.1:${apiPort}/v1/policies`)).status, 401);
      const response = await fetch(`http://127.0.0.1:${apiPort}/v1/policies`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as any;
      assert.deepEqual(
        body.policies.map((policy: any) => [policy.source, policy.status]),
        [['demo-system/basic-service-protection', 'Valid']],
      );
      // Readiness waited for the first list, whose status write precedes it.
      const status = fake.get('basic-service-protection')?.status as any;
      assert.equal(status.conditions[0].status, 'True');
      assert.equal(status.observedGeneration, 1);
      // AgentSync: the agents' projected token passes TokenReview; none, or another account's, does not.
      const issue = (serviceAccount: string) =>
        fake.tokenReviews.issue({
          namespace: 'demo-system',
          serviceAccount,
          podName: `${serviceAccount}-x1`,
          audiences: ['sluice-controller'],
          expiresAtMs: Date.now() + 3_600_000,
        });
      const hello = { agent_id: 'node-1', agent_group: 'default', capabilities: [] };
      for (const credential of [undefined, issue('default')]) {
        const rogue = new TestAgent(grpcPort, credential === undefined ? {} : { token: credential });
        agents.push(rogue);
        rogue.hello(hello);
        assert.equal((await rogue.closed)?.code, grpcStatus.UNAUTHENTICATED);
        assert.equal(rogue.received.length, 0);
      }
      const agent = new TestAgent(grpcPort, { token: issue('sluice-agent') });
      agents.push(agent);
      agent.hello(hello);
      const components = await agent.next((message) => message.payload === 'components');
      assert.ok(components.payload === 'components');
      assert.equal(components.components.policies?.length, 1);
    } finally {
      for (const agent of agents) agent.close();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      assert.deepEqual(await exited, [0, null]);
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
