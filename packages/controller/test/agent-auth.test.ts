/**
 * AgentSync authenticators. The Kubernetes one runs the real @kubernetes/client-node TokenReview client
 * against the fake API server (FakeKubeApiServer from @sluice/testkit; no real API server can run here), which
 * issues and reviews service-account tokens as authentication.k8s.io/v1 does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubernetesTokenReviewer } from '../src/kubernetes/token-reviewer-kubernetes.js';
import { KubernetesAgentAuth, tokenExpiryMs } from '../src/sync/agent-auth-kubernetes.js';
import { SHARED_TOKEN_PRINCIPAL, TokenAgentAuth } from '../src/sync/agent-auth-token.js';
import { FakeKubeApiServer } from '@sluice/testkit';

describe('TokenAgentAuth (agentAuth: token)', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-agent-token-')), 'token');
  writeFileSync(file, 'first-shared-token-0123456789\n');
  const auth = new TokenAgentAuth({ readToken: () => readFile(file, 'utf8') });

  it('admits the file’s token (trailing newline ignored) as the one shared principal', async () => {
    assert.deepEqual(await auth.authenticate('first-shared-token-0123456789'), {
      ok: true,
      principal: SHARED_TOKEN_PRINCIPAL,
    });
  });

  it('refuses a missing, wrong, empty, prefix or extended token as unauthenticated', async () => {
    for (const token of [
      undefined,
      '',
      'wrong',
      'first-shared-token',
      'first-shared-token-0123456789x',
      'x'.repeat(9000),
    ]) {
      const verdict = await auth.authenticate(token);
      assert.equal(verdict.ok, false, String(token));
      assert.equal(verdict.ok ? '' : verdict.refusal, 'unauthenticated');
    }
  });

  it('reads the file on every Connect: a rotated token applies at once, the old one stops', async () => {
    writeFileSync(file, 'second-shared-token-0123456789');
    assert.equal((await auth.authenticate('second-shared-token-0123456789')).ok, true);
    assert.equal((await auth.authenticate('first-shared-token-0123456789')).ok, false);
  });

  it('an unreadable file is unavailable (the agent retries), not a pass', async () => {
    const gone = new TokenAgentAuth({ readToken: () => readFile(`${file}.missing`, 'utf8') });
    const verdict = await gone.authenticate('second-shared-token-0123456789');
    assert.equal(verdict.ok ? '' : verdict.refusal, 'unavailable');
  });
});

describe('KubernetesAgentAuth (agentAuth: kubernetes, TokenReview)', () => {
  const fake = new FakeKubeApiServer('sluice-system');
  let now = Date.now();
  let auth: KubernetesAgentAuth;
  const issue = (
    options: { serviceAccount?: string; podName?: string; audiences?: string[]; lifetimeMs?: number } = {},
  ) =>
    fake.tokenReviews.issue({
      namespace: 'sluice-system',
      serviceAccount: options.serviceAccount ?? 'sluice-agent',
      podName: options.podName ?? 'sluice-agent-abcde',
      audiences: options.audiences ?? ['sluice-controller'],
      expiresAtMs: Date.now() + (options.lifetimeMs ?? 3_600_000),
    });
  const newAuth = () =>
    new KubernetesAgentAuth({
      reviewer: new KubernetesTokenReviewer({ kubeConfig: fake.kubeConfig(), requestTimeoutMs: 1000 }),
      serviceAccount: 'sluice-system/sluice-agent',
      audience: 'sluice-controller',
      now: () => now,
    });
  before(async () => {
    await fake.start();
    auth = newAuth();
  });
  after(() => fake.stop());

  it('admits the agents’ projected token; the principal is its pod', async () => {
    assert.deepEqual(await auth.authenticate(issue({ podName: 'sluice-agent-node1' })), {
      ok: true,
      principal: 'sluice-system/sluice-agent-node1',
    });
  });

  it('refuses a token of another audience, another service account, a forged or an expired one', async () => {
    const forged = issue().replace(/\.[^.]+$/, '.forged');
    const cases: [string, RegExp][] = [
      [
        issue({ audiences: ['https://kubernetes.default.svc.cluster.local'] }),
        /token audiences .* is invalid for the target audiences \["sluice-controller"\]/,
      ],
      [
        issue({ serviceAccount: 'default' }),
        /system:serviceaccount:sluice-system:default is not the agents' service account/,
      ],
      [forged, /invalid bearer token/],
      [issue({ lifetimeMs: -1000 }), /service account token has expired/],
      ['not-a-jwt', /invalid bearer token/],
    ];
    for (const [token, reason] of cases) {
      const verdict = await auth.authenticate(token);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.ok ? '' : verdict.refusal, 'unauthenticated');
      assert.match(verdict.ok ? '' : verdict.reason, reason);
    }
    assert.deepEqual(await auth.authenticate(undefined), {
      ok: false,
      refusal: 'unauthenticated',
      reason: 'no bearer token (authorization metadata)',
    });
  });

  it('reviews a token once, not per Connect: 50 Connects with one token cost 1 review; a refusal is remembered for 10 s', async () => {
    const fresh = newAuth();
    const token = issue({ podName: 'sluice-agent-cached' });
    const before = fake.tokenReviews.reviews;
    const verdicts = await Promise.all(Array.from({ length: 50 }, () => fresh.authenticate(token)));
    assert.ok(verdicts.every((verdict) => verdict.ok));
    assert.equal(fake.tokenReviews.reviews - before, 1);
    const bad = issue({ serviceAccount: 'intruder' });
    for (let index = 0; index < 20; index++) await fresh.authenticate(bad);
    assert.equal(fake.tokenReviews.reviews - before, 2);
    now += 10_001;
    await fresh.authenticate(bad);
    assert.equal(fake.tokenReviews.reviews - before, 3);
  });

  it('trusts a verdict no longer than the token lives, and at most 5 minutes: a deleted pod is out within that', async () => {
    const fresh = newAuth();
    const shortLived = issue({ lifetimeMs: 60_000 });
    assert.ok(Math.abs((tokenExpiryMs(shortLived) ?? 0) - (Date.now() + 60_000)) < 2000);
    const token = issue({ podName: 'sluice-agent-deleted' });
    assert.equal((await fresh.authenticate(token)).ok, true);
    fake.tokenReviews.revoke(token);
    assert.equal((await fresh.authenticate(token)).ok, true, 'cached within 5 minutes');
    now += 300_001;
    const verdict = await fresh.authenticate(token);
    assert.match(verdict.ok ? '' : verdict.reason, /pod "sluice-agent-deleted" not found/);
  });

  it('an API server that does not answer refuses UNAVAILABLE, uncached, with at most 16 reviews in flight', async () => {
    const fresh = newAuth();
    fake.partition('controller', 'silent');
    const pending = Array.from({ length: 20 }, (_, index) =>
      fresh.authenticate(issue({ podName: `p-${index}` })),
    );
    const verdicts = await Promise.all(pending);
    fake.heal('controller');
    const refusals = verdicts.map((verdict) => (verdict.ok ? 'ok' : verdict.refusal));
    assert.deepEqual(
      refusals,
      Array.from({ length: 20 }, () => 'unavailable'),
    );
    const reasons = verdicts.map((verdict) => (verdict.ok ? '' : verdict.reason));
    assert.equal(reasons.filter((reason) => /too many token reviews in flight/.test(reason)).length, 4);
    // Nothing failed is cached: the same token passes once the API answers.
    assert.equal((await fresh.authenticate(issue({ podName: 'p-0' }))).ok, true);
  });
});
