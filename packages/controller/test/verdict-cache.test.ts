import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerdictCache } from '../src/sync/verdict-cache.js';

describe('VerdictCache', () => {
  it('returns a verdict until its expiry, then forgets it', () => {
    const cache = new VerdictCache<string>(10);
    cache.set('a', 'yes', 1000, 0);
    assert.equal(cache.get('a', 999), 'yes');
    assert.equal(cache.get('a', 1000), undefined);
    assert.equal(cache.size, 0);
  });

  it('stays at its cap: expired entries go first, then the one expiring soonest', () => {
    const cache = new VerdictCache<number>(3);
    cache.set('short', 1, 100, 0);
    cache.set('long', 2, 10_000, 0);
    cache.set('mid', 3, 5_000, 0);
    cache.set('new', 4, 10_000, 0);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('short', 0), undefined);
    assert.equal(cache.get('long', 0), 2);
    cache.set('later', 5, 10_000, 200);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('mid', 200), undefined);
    for (let index = 0; index < 10_000; index++) cache.set(`flood-${index}`, 0, 1_000_000, 300);
    assert.equal(cache.size, 3);
  });
});
