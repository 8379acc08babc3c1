import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream.js';
import { httpCall } from '@sluice/testkit';
import { TestAgent } from './support/test-agent.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, output: () => ({ stdout, stderr }) };
}

let agent: TestAgent;
let upstream: EchoUpstream;
before(async () => {
  agent = await new TestAgent().start();
  upstream = await startEchoUpstream();
});
after(async () => {
  await agent.stop();
  await upstream.stop();
});

describe('sluice-proxy', () => {
  it('exits 2 naming the bad value', async () => {
    const proxy = run(['--upstream', '127.0.0.1:8099', '--agent', 'nope']);
    assert.equal(await proxy.exited, 2);
    assert.match(proxy.output().stderr, /extAuthz\.target: "nope" is not allowed; must be host:port/);
  });

  it('exits 2 on a route timeout that is not whole milliseconds', async () => {
    const proxy = run([
      '--upstream',
      '127.0.0.1:8099',
      '--agent',
      agent.target,
      '--route-timeout-ms',
      '1.5s',
    ]);
    assert.equal(await proxy.exited, 2);
    assert.match(
      proxy.output().stderr,
      /--route-timeout-ms 1\.5s: expected whole milliseconds such as 15000/,
    );
  });

  it('serves through the agent and stops cleanly on SIGTERM', async () => {
    agent.behaviour = () => ({ status: {} });
    const proxy = run([
      '--listen',
      '127.0.0.1:0',
      '--upstream',
      `127.0.0.1:${upstream.port}`,
      '--agent',
      agent.target,
      '--access-log',
    ]);
    let url: string | undefined;
    for await (const chunk of proxy.child.stdout) {
      url = /listening on (http:\/\/\S+)/.exec(String(chunk))?.[1];
      if (url !== undefined) break;
    }
    assert.ok(url, proxy.output().stderr);
    const before = agent.logRecords.length;
    assert.equal((await httpCall(`${url}/via-bin`)).status, 200);
    proxy.child.kill('SIGTERM');
    assert.equal(await proxy.exited, 0);
    // Stopping flushes the access-log batch.
    await agent.waitForLogRecords(before + 1);
    assert.equal(agent.logRecords.at(-1)?.body, 'GET');
  });
});
