import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BearerTokenCheck } from '../src/api/bearer-token.js';

describe('BearerTokenCheck', () => {
  const token = 'secret-token-0123456789';

  it('accepts exactly `Bearer <token>`', () => {
    const check = new BearerTokenCheck(token);
    assert.equal(check.matches(`Bearer ${token}`), true);
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `bearer ${token}`,
      `Bearer  ${token}`,
      `Basic ${token}`,
      `Bearer ${token}x`,
      `Bearer ${token.slice(1)}`,
    ])
      assert.equal(check.matches(header), false, String(header));
  });

  it('computes one digest of the same 32-byte size on every path: missing, malformed, short, long, right', () => {
    const key = Buffer.alloc(32, 7);
    const digested: number[] = [];
    const check = new (class extends BearerTokenCheck {
      override digest(text: string): Buffer {
        const value = super.digest(text);
        digested.push(value.length);
        return value;
      }
    })(token, key);
    digested.length = 0;
    const headers = [undefined, 'Basic x', 'Bearer a', `Bearer ${'z'.repeat(5000)}`, `Bearer ${token}`];
    for (const header of headers) check.matches(header);
    assert.deepEqual(digested, [32, 32, 32, 32, 32]);
  });

  it('compares digests under a per-process key: the same token under two keys has different digests', () => {
    const a = new BearerTokenCheck(token, Buffer.alloc(32, 1));
    const b = new BearerTokenCheck(token, Buffer.alloc(32, 2));
    assert.notDeepEqual(a.digest(token), b.digest(token));
  });
});
