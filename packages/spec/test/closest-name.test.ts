import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestName, didYouMean, editDistance } from '../src/closest-name.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    assert.equal(editDistance('', ''), 0);
    assert.equal(editDistance('abc', ''), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('queueTimeout', 'queueTimeuot'), 1);
    assert.equal(editDistance('latencyToleranceMultiplier', 'latencyToleranceMultipler'), 1);
  });
});

describe('closestName', () => {
  const keys = ['limitByLabelKey', 'latencyToleranceMultiplier', 'queueTimeout', 'rateLimit', 'values'];

  it('finds the key a typo meant, case-insensitively', () => {
    assert.equal(closestName('limitByLabelkey', keys), 'limitByLabelKey');
    assert.equal(closestName('latencyToleranceMultipler', keys), 'latencyToleranceMultiplier');
    assert.equal(closestName('queueTimeOut', keys), 'queueTimeout');
    assert.equal(closestName('valeus', keys), 'values');
  });

  it('suggests nothing for unrelated or very short names', () => {
    assert.equal(closestName('foo', keys), undefined);
    assert.equal(closestName('x', ['y']), undefined);
    assert.equal(closestName('completelyDifferent', keys), undefined);
  });

  it('never suggests the input itself', () => {
    assert.equal(closestName('values', ['values']), undefined);
  });

  it('formats a suffix for messages', () => {
    assert.equal(didYouMean('synht', ['synth', 'charts']), ' (did you mean "synth"?)');
    assert.equal(didYouMean('zzz', ['synth']), '');
  });
});
