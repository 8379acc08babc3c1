/**
 * Runtime Secrets over the real @kubernetes/client-node against the fake API server
 * (FakeKubeApiServer from @sluice/testkit: no real API server can run here; its Secrets answer 404 and 409
 * AlreadyExists as the registry does).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureRuntimeSecret } from '../src/kubernetes/runtime-secret.js';
import { KubernetesSecretStore } from '../src/kubernetes/secret-store-kubernetes.js';
import { FakeKubeApiServer } from '@sluice/testkit';

describe('runtime Secrets (created if absent, read otherwise)', () => {
  const fake = new FakeKubeApiServer('sluice-system');
  let store: KubernetesSecretStore;
  before(async () => {
    await fake.start();
    store = new KubernetesSecretStore({ kubeConfig: fake.kubeConfig(), namespace: 'sluice-system' });
  });
  after(() => fake.stop());

  it('creates an absent Secret with the generated 32 bytes and reads the same value next time', async () => {
    let generated = 0;
    const generate = () => {
      generated += 1;
      return Buffer.alloc(32, generated);
    };
    const first = await ensureRuntimeSecret({
      store,
      name: 'sluice-record-key',
      key: 'record-key',
      generate,
    });
    assert.equal(first.created, true);
    assert.equal(first.value.length, 32);
    assert.equal(
      Buffer.from(fake.secrets.get('sluice-record-key')?.data['record-key'] ?? '', 'base64').length,
      32,
    );
    const second = await ensureRuntimeSecret({
      store,
      name: 'sluice-record-key',
      key: 'record-key',
      generate,
    });
    assert.deepEqual([second.created, second.value.equals(first.value), generated], [false, true, 1]);
  });

  it('five replicas starting at once converge on one value: one create wins, the others read it after 409', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((replica) =>
        ensureRuntimeSecret({
          store: new KubernetesSecretStore({
            kubeConfig: fake.kubeConfig(`replica-${replica}`),
            namespace: 'sluice-system',
          }),
          name: 'sluice-api-token',
          key: 'token',
          generate: () => Buffer.alloc(32, replica),
        }),
      ),
    );
    assert.equal(results.filter((result) => result.created).length, 1);
    assert.equal(new Set(results.map((result) => result.value.toString('hex'))).size, 1);
    assert.equal(fake.secrets.created.filter((name) => name === 'sluice-api-token').length, 1);
  });

  it('never overwrites a Secret without the key: an error naming the Secret and the key', async () => {
    fake.secrets.put('someone-elses', { other: Buffer.from('x') });
    await assert.rejects(
      ensureRuntimeSecret({ store, name: 'someone-elses', key: 'token', generate: () => Buffer.alloc(32) }),
      /Secret someone-elses exists but has no value under key token/,
    );
    assert.deepEqual(Object.keys(fake.secrets.get('someone-elses')?.data ?? {}), ['other']);
  });

  it('a failing API is an error naming the Secret and the status', async () => {
    fake.partition('controller', 'unavailable');
    try {
      await assert.rejects(store.read('x'), /Secret sluice-system\/x: HTTP 503/);
    } finally {
      fake.heal('controller');
    }
  });
});
