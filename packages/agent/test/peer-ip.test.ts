import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peerIpOf } from '../src/grpc/peer-ip.js';

test('the IP part of every peer form grpc-js writes', () => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1:51234', '127.0.0.1'],
    ['10.244.1.17:8080', '10.244.1.17'],
    ['::1:51234', '::1'],
    ['fe80::1:2:3:4:443', 'fe80::1:2:3:4'],
    ['FD00::AB:443', 'fd00::ab'],
    ['[::1]:51234', '::1'],
    ['::ffff:127.0.0.2:40000', '127.0.0.2'],
    ['::FFFF:10.0.0.1:1', '10.0.0.1'],
    ['127.0.0.1', '127.0.0.1'],
    ['unknown', 'unknown'],
    ['/run/agent.sock', '/run/agent.sock'],
  ];
  for (const [peer, ip] of cases) assert.equal(peerIpOf(peer), ip, peer);
});
