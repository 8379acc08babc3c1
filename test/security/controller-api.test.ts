/**
 * Attack: the controller API (issue 15, attacks 4 and 9). A real controller process on free ports; the
 * attacker is this process, reaching the API on loopback and on the machine's own non-loopback address
 * (what another pod would dial), with forged Hosts, text bodies, absurd nesting and guessed tokens.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { bin } from '@sluice/e2e-kit';
import { metricSum } from '../reliability/support/metrics.js';
import { ControllerProcess } from './support/controller-process.js';

const TOKEN = 'security-api-token-0123456789';

/** This machine's own address beyond loopback: what a pod elsewhere reaches the controller on. */
const OWN_ADDRESS = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** One raw HTTP request (so Host and body are exactly what an attacker sends); status and body. */
function send(options: {
  readonly host?: string;
  readonly port: number;
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const call = request(
      {
        host: options.host ?? '127.0.0.1',
        port: options.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers ?? {},
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
        );
      },
    );
    call.on('error', reject);
    call.end(options.body);
  });
}

describe('controller API, default start (no token configured)', () => {
  let controller: ControllerProcess;
  before(async () => {
    assert.ok(OWN_ADDRESS, 'a non-loopback IPv4 address to attack from');
    controller = await ControllerProcess.start({});
  });
  after(() => controller?.stop());

  it('the API and AgentSync listen on loopback only; probes and metrics on every interface', async () => {
    const own = OWN_ADDRESS as string;
    assert.deepEqual(
      {
        apiOnLoopback: await accepts('127.0.0.1', controller.ports.api),
        apiOnOwnAddress: await accepts(own, controller.ports.api),
        agentSyncOnOwnAddress: await accepts(own, controller.ports.grpc),
        probesOnOwnAddress: await accepts(own, controller.ports.http),
      },
      { apiOnLoopback: true, apiOnOwnAddress: false, agentSyncOnOwnAddress: false, probesOnOwnAddress: true },
    );
    assert.equal((await send({ host: own, port: controller.ports.http, path: '/healthz' })).status, 200);
    assert.equal((await send({ host: own, port: controller.ports.http, path: '/v1/policies' })).status, 404);
  });

  it('refuses a text/plain body (415), a foreign Host (421) and a 30,000-deep JSON body (400), and counts them', async () => {
    const api = controller.ports.api;
    const json = { 'content-type': 'application/json' };
    const text = await send({
      port: api,
      method: 'POST',
      path: '/v1/preview',
      headers: { 'content-type': 'text/plain' },
      body: '{"controlPoint":"ingress"}',
    });
    const rebound = await send({ port: api, path: '/v1/agents', headers: { host: 'attacker.example:8092' } });
    const deep = await send({
      port: api,
      method: 'POST',
      path: '/v1/preview',
      headers: json,
      body: `${'['.repeat(30_000)}${']'.repeat(30_000)}`,
    });
    assert.deepEqual([text.status, rebound.status, deep.status], [415, 421, 400]);
    assert.match(deep.body, /deeper than 32/);
    // The same requests, well formed, are served: nothing else refused them.
    assert.equal(
      (await send({ port: api, path: '/v1/agents', headers: { host: 'localhost:8092' } })).status,
      200,
    );
    const metrics = await controller.metrics();
    assert.deepEqual(
      ['media-type', 'host', 'bad-request'].map((reason) =>
        metricSum(metrics, 'sluice_controller_api_refusals_total', `reason="${reason}"`),
      ),
      [1, 1, 1],
    );
  });
});

describe('controller API with a token', () => {
  let controller: ControllerProcess;
  before(async () => {
    controller = await ControllerProcess.start({ env: { SLUICE_CONTROLLER_API_TOKEN: TOKEN } });
  });
  after(() => controller?.stop());

  it('serves every interface, and refuses any request without the token', async () => {
    const own = OWN_ADDRESS as string;
    const anonymous = await send({ host: own, port: controller.ports.api, path: '/v1/policies' });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Bearer');
    const authorised = await send({
      host: own,
      port: controller.ports.api,
      path: '/v1/policies',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(authorised.status, 200);
  });

  it('wrong tokens of every length, 0 to 64 characters and the right length less one character, get the same answer', async () => {
    const before = metricSum(
      await controller.metrics(),
      'sluice_controller_api_refusals_total',
      'reason="token"',
    );
    const guesses = [
      ...Array.from({ length: 65 }, (_, length) => 'x'.repeat(length)),
      `${TOKEN.slice(0, -1)}y`,
      TOKEN.slice(0, -1),
    ];
    const answers = new Set<string>();
    for (const guess of guesses) {
      const answer = await send({
        port: controller.ports.api,
        path: '/v1/agents',
        headers: { authorization: `Bearer ${guess}` },
      });
      answers.add(
        `${answer.status} ${String(answer.headers['www-authenticate'])} ${String(answer.headers['content-length'])} ${answer.body}`,
      );
    }
    assert.equal(answers.size, 1, [...answers].join('\n'));
    assert.match([...answers][0] ?? '', /^401 Bearer /);
    const after = metricSum(
      await controller.metrics(),
      'sluice_controller_api_refusals_total',
      'reason="token"',
    );
    assert.equal(after - before, guesses.length, 'every guess went through the one token check');
  });
});

describe('controller API refused at start', () => {
  it('a non-loopback API address without a token exits 2, naming the key and the fix', async () => {
    const child = spawn(
      process.execPath,
      [bin('controller'), '--policies', '.', '--api-bind-address', '0.0.0.0'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /apiBindAddress: "0\.0\.0\.0" is not allowed without an API token/);
  });
});
