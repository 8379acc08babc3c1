import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpApi, type HttpApiSources, type LeadershipView } from '../src/api/http-api.js';
import { PreviewUnavailableError, type PreviewQuery } from '../src/sync/preview-request.js';

describe('HttpApi', () => {
  const previews: PreviewQuery[] = [];
  let ready = false;
  let previewAvailable = true;
  const sources: HttpApiSources = {
    policies: () => [],
    loopStatus: () => undefined,
    agents: () => [],
    controlPoints: () => [],
    preview: async (query) => {
      if (!previewAvailable) throw new PreviewUnavailableError();
      previews.push(query);
      return { requestId: 'preview-1', agents: [], flowLabels: [], httpRequests: [] };
    },
    metrics: async () => ({ contentType: 'text/plain', body: 'metric 1\n' }),
    ready: () => ready,
  };
  const api = new HttpApi({ sources, bearerToken: 'secret-token-0123456789', maxBodyBytes: 1024 });
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

  it('answers /readyz 503 until the sources are loaded, then 200', async () => {
    assert.equal((await fetch(`${base}/readyz`)).status, 503);
    ready = true;
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
  });

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
    previewAvailable = false;
    const unavailable = await post(JSON.stringify({ controlPoint: 'ingress' }));
    assert.equal(unavailable.status, 503);
    assert.deepEqual(await unavailable.json(), {
      error: 'no connected agent supports preview (capability "preview")',
    });
    assert.equal((await post('{not json')).status, 400);
    assert.equal((await post(JSON.stringify({ controlPoint: 'x'.repeat(2000) }))).status, 413);
  });

  it('serves /metrics without the token (scrapers do not carry one)', async () => {
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'metric 1\n');
  });
});

describe('HttpApi on a follower (leader election)', () => {
  let leadership: LeadershipView = { role: 'follower', leader: 'controller-a' };
  let ready = false;
  const api = new HttpApi({
    sources: {
      policies: () => [],
      loopStatus: () => undefined,
      agents: () => [],
      controlPoints: () => [],
      preview: async () => ({ requestId: 'preview-1', agents: [], flowLabels: [], httpRequests: [] }),
      metrics: async () => ({ contentType: 'text/plain', body: 'sluice_controller_leader 0\n' }),
      ready: () => ready,
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

  it('is Ready once its sources are loaded, as a leader is, and says it follows and whom', async () => {
    // Readiness is the process's health: a follower counts as available (Deployment, PodDisruptionBudget);
    // agents find the leader by trying the replicas, each follower refusing them as not-leader.
    const loading = await fetch(`${base}/readyz`);
    assert.equal(loading.status, 503);
    assert.deepEqual(await loading.json(), { status: 'not ready', role: 'follower', leader: 'controller-a' });
    ready = true;
    const response = await fetch(`${base}/readyz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ready', role: 'follower', leader: 'controller-a' });
  });

  it('answers /v1/* with 503 naming the leader, after the token check; /healthz and /metrics stay 200', async () => {
    assert.equal((await fetch(`${base}/v1/policies`)).status, 401);
    for (const path of ['/v1/policies', '/v1/agents', '/v1/control-points']) {
      const response = await fetch(`${base}${path}`, { headers: auth });
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), {
        error: 'this controller is a follower; the leader (controller-a) serves the API',
        leader: 'controller-a',
      });
    }
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/metrics`)).status, 200);
  });

  it('says so when no leader is known, and serves as usual once it leads', async () => {
    leadership = { role: 'follower', leader: undefined };
    const response = await fetch(`${base}/v1/agents`, { headers: auth });
    assert.deepEqual(await response.json(), {
      error: 'this controller is a follower; the leader serves the API',
      leader: null,
    });
    assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), {
      status: 'ready',
      role: 'follower',
      leader: null,
    });
    leadership = { role: 'leader', leader: undefined };
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    assert.equal((await fetch(`${base}/v1/agents`, { headers: auth })).status, 200);
  });
});
