import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nestsDeeperThan } from '../src/api/json-nesting.js';

describe('nestsDeeperThan', () => {
  it('finds nesting past the limit in arrays, objects and mixes', () => {
    assert.equal(nestsDeeperThan('[[[]]]', 3), false);
    assert.equal(nestsDeeperThan('[[[[]]]]', 3), true);
    assert.equal(nestsDeeperThan('{"a":{"b":{"c":1}}}', 3), false);
    assert.equal(nestsDeeperThan('{"a":[{"b":[1]}]}', 3), true);
    assert.equal(nestsDeeperThan(`${'['.repeat(30_000)}${']'.repeat(30_000)}`, 32), true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    assert.equal(nestsDeeperThan(JSON.stringify({ a: '[[[[[[{{{{' }), 1), false);
    assert.equal(nestsDeeperThan(JSON.stringify({ a: 'x"[[[[[[' }), 1), false);
    // A string ending in an escaped backslash closes: the brackets after it count.
    assert.equal(nestsDeeperThan(`${JSON.stringify(['x\\'])}[[[`, 2), true);
  });

  it('depth returns after siblings close', () => {
    assert.equal(nestsDeeperThan('[[1],[2],[3],[[4]]]', 3), false);
    assert.equal(nestsDeeperThan('[[1],[2],[3],[[[4]]]]', 3), true);
  });
});
