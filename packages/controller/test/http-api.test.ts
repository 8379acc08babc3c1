import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'node:http';
import { HttpApi, type HttpApiSources, type LeadershipView } from '../src/api/http-api.js';
import {
  PreviewBusyError,
  PreviewTooLargeError,
  PreviewUnavailableError,
  type PreviewQuery,
} from '../src/sync/preview-request.js';

describe('HttpApi', () => {
  const previews: PreviewQuery[] = [];
  let previewFailure: Error | undefined;
  const refusals: string[] = [];
  const sources: HttpApiSources = {
    policies: () => [],
    loopStatus: () => undefined,
    agents: () => [],
    controlPoints: () => [],
    preview: async (query) => {
      if (previewFailure !== undefined) throw previewFailure;
      previews.push(query);
      return { requestId: 'preview-1', agents: [], flowLabels: [], httpRequests: [] };
    },
  };
  const api = new HttpApi({
    sources,
    bearerToken: 'secret-token-0123456789',
    maxBodyBytes: 1024,
    allowedHosts: ['sluice-controller.sluice-system.svc'],
    onRefusal: (reason) => refusals.push(reason),
  });
  let base: string;
  const auth = { authorization: 'Bearer secret-token-0123456789' };
  const post = (body: string) =>
    fetch(`${base}/v1/preview`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body,
    });

  before(async () => {
    base = `http://127.0.0.1:${await api.start({ port: 0, host: '127.0.0.1' })}`;
  });
  after(() => api.stop());

  it('rejects a missing or wrong token with 401 and a WWW-Authenticate header', async () => {
    const response = await fetch(`${base}/v1/agents`);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await fetch(`${base}/v1/agents`, { headers: auth })).status, 200);
  });

  it('answers 404 for unknown paths and 405 for a wrong method', async () => {
    assert.equal((await fetch(`${base}/v1/nothing`, { headers: auth })).status, 404);
    const wrong = await fetch(`${base}/v1/policies`, { method: 'DELETE', headers: auth });
    assert.equal(wrong.status, 405);
    assert.deepEqual(await wrong.json(), { error: 'DELETE is not allowed on /v1/policies' });
  });

  it('validates the preview body: each problem with path, value and what is allowed', async () => {
    const response = await post(JSON.stringify({ controlPoint: 'ingress', samples: 0, labels: {} }));
    assert.equal(response.status, 400);
    assert.deepEqual(((await response.json()) as any).issues, [
      { path: 'samples', value: '0', allowed: 'must be >= 1' },
      { path: 'labels', value: '{}', allowed: 'unknown field' },
    ]);
    const tooLong = await post(JSON.stringify({ controlPoint: 'ingress', timeout: '2m' }));
    assert.deepEqual(((await tooLong.json()) as any).issues, [
      { path: 'timeout', value: '"2m"', allowed: 'must be at most 60s' },
    ]);
  });

  it('passes a valid preview on with defaults resolved to milliseconds', async () => {
    const response = await post(
      JSON.stringify({
        controlPoint: 'ingress',
        labelMatcher: { matchLabels: { 'user-type': 'guest' } },
        kind: 'http-request',
      }),
    );
    assert.equal(response.status, 200);
    assert.deepEqual(previews.at(-1), {
      controlPoint: 'ingress',
      matchLabels: { 'user-type': 'guest' },
      samples: 10,
      timeoutMs: 10_000,
      kind: 'http-request',
    });
  });

  it('answers 503 when no agent can preview, 400 for a body that is not JSON, 413 for one too large', async () => {
    previewFailure = new PreviewUnavailableError();
    const unavailable = await post(JSON.stringify({ controlPoint: 'ingress' }));
    assert.equal(unavailable.status, 503);
    assert.deepEqual(await unavailable.json(), {
      error: 'no connected agent supports preview (capability "preview")',
    });
    previewFailure = undefined;
    assert.equal((await post('{not json')).status, 400);
    assert.equal((await post(JSON.stringify({ controlPoint: 'x'.repeat(2000) }))).status, 413);
  });

  it('answers 429 with retry-after while previews are at their cap, 413 when one outgrew its sample bytes', async () => {
    previewFailure = new PreviewBusyError(4);
    const busy = await post(JSON.stringify({ controlPoint: 'ingress' }));
    assert.equal(busy.status, 429);
    assert.equal(busy.headers.get('retry-after'), '1');
    assert.equal(((await busy.json()) as any).maxConcurrent, 4);
    previewFailure = new PreviewTooLargeError(1_048_576);
    const large = await post(JSON.stringify({ controlPoint: 'ingress' }));
    assert.equal(large.status, 413);
    assert.equal(((await large.json()) as any).maxSampleBytes, 1_048_576);
    previewFailure = undefined;
  });

  it('refuses a body that is not application/json with 415, before reading it', async () => {
    const before = previews.length;
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ]) {
      const response = await fetch(`${base}/v1/preview`, {
        method: 'POST',
        headers: { ...auth, ...(type === '' ? {} : { 'content-type': type }) },
        body: JSON.stringify({ controlPoint: 'ingress' }),
      });
      assert.equal(response.status, 415, type);
    }
    assert.equal((await post(JSON.stringify({ controlPoint: 'ingress' }))).status, 200);
    const charset = await fetch(`${base}/v1/preview`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'Application/JSON; charset=utf-8' },
      body: JSON.stringify({ controlPoint: 'ingress' }),
    });
    assert.equal(charset.status, 200);
    assert.equal(previews.length, before + 2);
  });

  it('answers 400 for JSON nested deeper than 32, however deep (30,000 answered 500 before)', async () => {
    const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const big = new HttpApi({ sources, maxBodyBytes: 1_000_000 });
    const port = await big.start({ port: 0, host: '127.0.0.1' });
    try {
      for (const depth of [33, 1000, 30_000]) {
        const response = await fetch(`http://127.0.0.1:${port}/v1/preview`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: deep(depth),
        });
        assert.equal(response.status, 400, `depth ${depth}`);
        assert.match(((await response.json()) as any).error, /deeper than 32/);
      }
      // Brackets inside strings are text, not nesting.
      const response = await fetch(`http://127.0.0.1:${port}/v1/preview`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ controlPoint: `${'['.repeat(500)}"\\` }),
      });
      assert.equal(response.status, 200);
    } finally {
      await big.stop();
    }
  });

  it('refuses Host names it was not told with 421 (DNS rebinding); localhost, IPs and its Service name pass', async () => {
    const withHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const call = request(
          { host: '127.0.0.1', port: new URL(base).port, path: '/v1/agents', headers: { host, ...auth } },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        call.on('error', reject);
        call.end();
      });
    for (const host of [
      'evil.example',
      'evil.example:80',
      'localhost.evil.example',
      'sluice-controller',
      'a b',
    ])
      assert.equal(await withHost(host), 421, host);
    for (const host of [
      'localhost:8092',
      'LOCALHOST',
      '127.0.0.1:8092',
      '10.1.2.3',
      '[::1]:8092',
      'sluice-controller.sluice-system.svc:8092',
      'Sluice-Controller.sluice-system.svc.',
    ])
      assert.equal(await withHost(host), 200, host);
  });

  it('counts each refusal by reason', () => {
    for (const reason of ['host', 'token', 'media-type', 'bad-request', 'too-large', 'busy'])
      assert.ok(refusals.includes(reason), `${reason} in ${refusals.join(',')}`);
  });
});

describe('HttpApi token check', () => {
  const token = 'the-right-token-0123456789';
  const api = new HttpApi({
    sources: {
      policies: () => [],
      loopStatus: () => undefined,
      agents: () => [],
      controlPoints: () => [],
      preview: async () => ({ requestId: 'p', agents: [], flowLabels: [], httpRequests: [] }),
    },
    bearerToken: token,
  });
  let base: string;
  before(async () => {
    base = `http://127.0.0.1:${await api.start({ port: 0, host: '127.0.0.1' })}`;
  });
  after(() => api.stop());

  it('answers every wrong token, of every length from 0 to 200 and the right length, byte for byte alike', async () => {
    const answers = new Set<string>();
    const guesses = [
      ...Array.from({ length: 201 }, (_, length) => 'x'.repeat(length)),
      token.slice(0, -1) + 'X',
      `${token}x`,
      token.toUpperCase(),
    ];
    for (const guess of guesses) {
      const response = await fetch(`${base}/v1/agents`, { headers: { authorization: `Bearer ${guess}` } });
      answers.add(`${response.status} ${response.headers.get('www-authenticate')} ${await response.text()}`);
    }
    assert.equal(answers.size, 1, [...answers].join('\n'));
    assert.match([...answers][0] ?? '', /^401 Bearer /);
    assert.equal(
      (await fetch(`${base}/v1/agents`, { headers: { authorization: `Bearer ${token}` } })).status,
      200,
    );
  });
});

describe('HttpApi on a follower (leader election)', () => {
  let leadership: LeadershipView = { role: 'follower', leader: 'controller-a' };
  const api = new HttpApi({
    sources: {
      policies: () => [],
      loopStatus: () => undefined,
      agents: () => [],
      controlPoints: () => [],
      preview: async () => ({ requestId: 'preview-1', agents: [], flowLabels: [], httpRequests: [] }),
      leadership: () => leadership,
    },
    bearerToken: 'secret-token-0123456789',
  });
  const auth = { authorization: 'Bearer secret-token-0123456789' };
  let base: string;

  before(async () => {
    base = `http://127.0.0.1:${await api.start({ port: 0, host: '127.0.0.1' })}`;
  });
  after(() => api.stop());

  it('answers /v1/* with 503 naming the leader, after the token check', async () => {
    assert.equal((await fetch(`${base}/v1/policies`)).status, 401);
    for (const path of ['/v1/policies', '/v1/agents', '/v1/control-points']) {
      const response = await fetch(`${base}${path}`, { headers: auth });
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), {
        error: 'this controller is a follower; the leader (controller-a) serves the API',
        leader: 'controller-a',
      });
    }
  });

  it('says so when no leader is known, and serves as usual once it leads', async () => {
    leadership = { role: 'follower', leader: undefined };
    const response = await fetch(`${base}/v1/agents`, { headers: auth });
    assert.deepEqual(await response.json(), {
      error: 'this controller is a follower; the leader serves the API',
      leader: null,
    });
    leadership = { role: 'leader', leader: undefined };
    assert.equal((await fetch(`${base}/v1/agents`, { headers: auth })).status, 200);
  });
});
