import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loopbackTarget } from '../src/loopback-target.js';

describe('loopbackTarget', () => {
  it('accepts loopback hosts only', () => {
    for (const url of [
      'http://127.0.0.1:10000',
      'http://localhost:1',
      'http://[::1]:8080/x',
      'http://127.9.9.9',
    ])
      assert.equal(loopbackTarget(url).href.startsWith('http'), true, url);
    for (const url of [
      'http://10.0.0.1:80',
      'http://example.com',
      'http://127.0.0.1.example.com',
      'ftp://127.0.0.1',
    ]) {
      assert.throws(
        () => loopbackTarget(url),
        /is not allowed: only http\(s\) on localhost, 127\.0\.0\.0\/8 or \[::1\]/,
        url,
      );
    }
    assert.throws(() => loopbackTarget('nope'), /load target "nope" is not a URL/);
  });
});
