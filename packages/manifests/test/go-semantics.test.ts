import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  goEmpty,
  goFormatNumber,
  goQuote,
  goToJson,
  goToString,
  goTrimSuffix,
  goTrunc,
  goTruthy,
} from '../src/template/go-semantics.js';

describe('Go and Sprig mirrors', () => {
  it('%v of float64: shortest digits, exponent from 1e+06 and below 1e-04', () => {
    const cases: [number, string][] = [
      [8080, '8080'],
      [999999, '999999'],
      [1_000_000, '1e+06'],
      [1_500_000, '1.5e+06'],
      [-2_000_000, '-2e+06'],
      [0.25, '0.25'],
      [0.0001, '0.0001'],
      [0.000015, '1.5e-05'],
      [0, '0'],
    ];
    for (const [value, text] of cases) assert.equal(goFormatNumber(value), text, String(value));
  });

  it('truth: false, 0, "", nil and empty collections are false; everything else true', () => {
    assert.deepEqual([false, 0, '', null, undefined, [], {}].map(goTruthy), [
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    assert.deepEqual([true, -1, 'x', [0], { a: 0 }].map(goTruthy), [true, true, true, true, true]);
    assert.equal(goEmpty(''), true);
  });

  it('toJson sorts keys and escapes <, > and & as Go does', () => {
    assert.equal(goToJson({ b: 1, a: { d: '<', c: '&' } }), '{"a":{"c":"\\u0026","d":"\\u003c"},"b":1}');
    assert.equal(goToJson(undefined), 'null');
  });

  it('toString, quote, trunc, trimSuffix', () => {
    assert.deepEqual([goToString(true), goToString(7), goToString(null)], ['true', '7', '<nil>']);
    assert.equal(goQuote('a "b"'), '"a \\"b\\""');
    assert.throws(() => goQuote('é'), /outside printable ASCII/);
    assert.equal(goTrunc(3, 'abcdef'), 'abc');
    assert.equal(goTrunc(10, 'abc'), 'abc');
    assert.equal(goTrimSuffix('-', 'abc--'), 'abc-');
  });
});
