import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackAddress, listenerAddresses } from '../src/daemon/listener-addresses.js';

describe('listener addresses: secure by default', () => {
  const resolve = (options: Partial<Parameters<typeof listenerAddresses>[0]>) =>
    listenerAddresses({
      bindAddress: undefined,
      apiBindAddress: undefined,
      apiTokenConfigured: false,
      agentAuth: 'none',
      ...options,
    });

  it('without a token the API binds loopback; without agent auth so does AgentSync; probes bind everything', () => {
    assert.deepEqual(resolve({}), {
      ok: true,
      value: { grpcHost: '127.0.0.1', httpHost: '0.0.0.0', apiHost: '127.0.0.1' },
    });
  });

  it('with a token the API follows bindAddress; with agent auth AgentSync binds every interface', () => {
    assert.deepEqual(resolve({ apiTokenConfigured: true, agentAuth: 'kubernetes' }), {
      ok: true,
      value: { grpcHost: '0.0.0.0', httpHost: '0.0.0.0', apiHost: '0.0.0.0' },
    });
    assert.deepEqual(resolve({ apiTokenConfigured: true, agentAuth: 'token', bindAddress: '10.0.0.5' }), {
      ok: true,
      value: { grpcHost: '10.0.0.5', httpHost: '10.0.0.5', apiHost: '10.0.0.5' },
    });
  });

  it('an explicit bind address wins even without agent auth', () => {
    const result = resolve({ bindAddress: '0.0.0.0' });
    assert.ok(result.ok);
    assert.equal(result.value.grpcHost, '0.0.0.0');
    assert.equal(result.value.apiHost, '127.0.0.1');
  });

  it('refuses a non-loopback API without a token, naming the key and the fix', () => {
    for (const apiBindAddress of ['0.0.0.0', '::', '10.1.2.3']) {
      const result = resolve({ apiBindAddress });
      assert.equal(result.ok, false);
      assert.match(
        result.ok ? '' : result.message,
        new RegExp(
          `^apiBindAddress: "${apiBindAddress.replace(/\./g, '\\.')}" is not allowed without an API token`,
        ),
      );
    }
    assert.equal(resolve({ apiBindAddress: '127.0.0.2' }).ok, true);
    assert.equal(resolve({ apiBindAddress: '::1' }).ok, true);
  });

  it('knows loopback addresses', () => {
    assert.deepEqual(
      ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '0.0.0.0', '::', '10.0.0.1', '128.0.0.1'].map(
        isLoopbackAddress,
      ),
      [true, true, true, true, false, false, false, false],
    );
  });
});
