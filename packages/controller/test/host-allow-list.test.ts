import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostAllowList, hostOf } from '../src/api/host-allow-list.js';

describe('HostAllowList', () => {
  const hosts = new HostAllowList([
    'sluice-controller.sluice-system.svc',
    'Sluice-Controller.sluice-system.svc.cluster.local.',
  ]);

  const cases: [string | undefined, boolean][] = [
    ['localhost', true],
    ['localhost:8092', true],
    ['api.localhost', true],
    ['127.0.0.1:8092', true],
    ['10.244.1.7', true],
    ['[::1]:8092', true],
    ['[fe80::1]', true],
    ['sluice-controller.sluice-system.svc:8092', true],
    ['sluice-controller.sluice-system.svc.cluster.local', true],
    ['SLUICE-CONTROLLER.SLUICE-SYSTEM.SVC.', true],
    ['evil.example', false],
    ['localhost.evil.example', false],
    ['127.0.0.1.nip.io', false],
    ['sluice-controller', false],
    ['sluice-controller.sluice-system.svc.evil.example', false],
    [undefined, false],
    ['', false],
    ['[::1', false],
    ['a:b:c', false],
    ['host:99999999', false],
  ];
  for (const [host, allowed] of cases)
    it(`${JSON.stringify(host)} → ${allowed ? 'allowed' : 'refused'}`, () =>
      assert.equal(hosts.allows(host), allowed));

  it('takes the host out of a Host header', () => {
    assert.equal(hostOf('[::1]:8092'), '::1');
    assert.equal(hostOf('name:1'), 'name');
    assert.equal(hostOf('name'), 'name');
    assert.equal(hostOf(':80'), undefined);
  });
});
