import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  and,
  chartAppVersion,
  chartName,
  concat,
  contains,
  defaultTo,
  dict,
  eq,
  type Expr,
  greaterThan,
  literal,
  mergeMaps,
  not,
  or,
  quote,
  releaseName,
  releaseNamespace,
  ternary,
  toJson,
  trimSuffix,
  truncate,
  value,
} from '../src/template/expr.js';
import { HelmNames } from '../src/template/helm-names.js';
import { valuesView } from '../src/template/values-view.js';
import { byKey, HELMS, helmTemplate } from './support/helm.js';
import { evaluateProbe, probeContext, writeProbeChart } from './support/probe-chart.js';

const names = new HelmNames(valuesView(), 'probe');

/** Every expression kind, each printed by Helm and evaluated in TypeScript. Names are object names, so lower-case. */
const EXPRESSIONS: Readonly<Record<string, Expr>> = {
  'value-string': value('s'),
  'value-number': value('n'),
  'value-bool': value('b'),
  'value-nested': value('nested.deep.leaf'),
  'literal-on': literal('on'),
  'literal-float-text': literal('1.0'),
  'literal-colon': literal('a: b'),
  'literal-braces': literal('{{ not an action }}'),
  'default-missing': defaultTo(value('missing'), 'fallback'),
  'default-empty-string': defaultTo(value('empty'), 'fallback'),
  'default-zero': defaultTo(value('zero'), 7),
  'default-false': defaultTo(value('no'), true),
  'default-set': defaultTo(value('s'), 'fallback'),
  'concat-numbers': concat('port-', value('n'), '-', value('big'), '-', value('fraction')),
  'concat-bool': concat(value('b'), '/', releaseName),
  quote: quote(value('s')),
  'to-json-text': toJson(value('html')),
  truncate: truncate(value('long'), 10),
  'trim-suffix': trimSuffix(truncate(value('dashy'), 4), '-'),
  contains: contains('lu', value('s')),
  'contains-not': contains('zz', value('s')),
  ternary: ternary(value('b'), 'yes-branch', 'no-branch'),
  'ternary-not-empty': ternary(not(value('empty')), 'yes-branch', 'no-branch'),
  not: not(value('zero')),
  and: and(value('b'), value('s')),
  // Go returns the first falsy operand itself, even when it is nil; printed through toJson to show which.
  'and-nil-first': toJson(and(value('missing'), value('b'))),
  or: or(value('empty'), value('zero'), value('s')),
  eq: eq(value('s'), 'sluice'),
  // Values files give float64; `gt` needs both sides of one kind, hence Sprig's int.
  'greater-than': greaterThan(value('n'), 1),
  'greater-than-zero': greaterThan(value('zero'), 1),
  'greater-than-missing': greaterThan(value('missing'), 0),
  builtins: concat(releaseName, '|', releaseNamespace, '|', chartName, '|', chartAppVersion),
  fullname: names.fullname,
  component: names.component('agent'),
  // Sprig's merge: the base wins, except where its value is empty; the extra map adds the rest.
  'merge-maps': mergeMaps(dict({ a: value('s'), b: '', c: 'base' }), value('labels')),
  'merge-maps-missing': mergeMaps(dict({ a: releaseName }), value('missing')),
};

const VALUE_SETS: readonly {
  readonly release: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
}[] = [
  {
    release: 'probe',
    namespace: 'probe-ns',
    values: {
      s: 'sluice',
      n: 8080,
      b: true,
      big: 1_000_000,
      fraction: 0.25,
      zero: 0,
      no: false,
      empty: '',
      long: 'abcdefghijklmnopqrstuvwxyz',
      dashy: 'abc-def',
      html: '<a & b>',
      nested: { deep: { leaf: 'leaf' } },
      labels: { b: 'filled', c: 'extra', d: 'new' },
    },
  },
  {
    // A release that contains the chart name is the fullname on its own.
    release: 'my-probe-release',
    namespace: 'other',
    values: {
      s: 'x',
      n: 1,
      b: false,
      big: 123456,
      fraction: 1.5,
      zero: 3,
      no: true,
      empty: 'set',
      long: 'short',
      dashy: 'ab',
      html: 'plain',
      nested: { deep: { leaf: '' } },
      nameOverride: 'probe',
      labels: {},
    },
  },
  {
    // 53 characters (Helm's longest release) plus a 40-character nameOverride: the fullname is cut to 63 and loses a trailing dash.
    release: 'r2345678901234567890123456789012345678901234567890123',
    namespace: 'n',
    values: {
      s: 's',
      n: 2,
      b: true,
      big: 1e7,
      fraction: 0.001,
      zero: 0,
      no: false,
      empty: '',
      long: '',
      dashy: '---x',
      html: '',
      nested: { deep: { leaf: 'l' } },
      labels: { a: 'ignored' },
      nameOverride: 'abcdefgh-jbcdefghij-bcdefghij-bcdefghij',
    },
  },
];

const chart = writeProbeChart(EXPRESSIONS);

for (const helm of HELMS) {
  describe(`expressions print in Helm ${helm.major} what they evaluate to`, () => {
    for (const set of VALUE_SETS) {
      it(`release ${set.release.slice(0, 20)}`, async () => {
        const rendered = byKey(await helmTemplate(helm, chart, set));
        assert.equal(rendered.size, Object.keys(EXPRESSIONS).length);
        for (const [name, expr] of Object.entries(EXPRESSIONS)) {
          const expected = evaluateProbe(name, expr, probeContext(set.values, set.release, set.namespace));
          assert.deepEqual(rendered.get(`Probe//${name}`), expected, name);
        }
      });
    }
  });
}

describe('expressions evaluate as Go and Sprig do', () => {
  const context = probeContext(VALUE_SETS[0]?.values);
  const evaluate = (name: string) => (EXPRESSIONS[name] as Expr).evaluate(context);

  it('default falls back on unset, "", 0 and false, but not on a set value', () => {
    assert.deepEqual(
      ['default-missing', 'default-empty-string', 'default-zero', 'default-false', 'default-set'].map(
        evaluate,
      ),
      ['fallback', 'fallback', 7, true, 'sluice'],
    );
  });

  it('string building prints float64 values as %v: 8080, 1e+06, 0.25', () => {
    assert.equal(evaluate('concat-numbers'), 'port-8080-1e+06-0.25');
  });

  it('toJson escapes HTML characters as Go does', () => {
    assert.equal(evaluate('to-json-text'), '"\\u003ca \\u0026 b\\u003e"');
  });

  it('the fullname rule: <release>-<chart>, 63 characters at most, no trailing dash', () => {
    assert.equal(evaluate('fullname'), 'probe');
    assert.equal(evaluate('component'), 'probe-agent');
    const long = VALUE_SETS[2] as (typeof VALUE_SETS)[number];
    const fullname = names.fullname.evaluate(probeContext(long.values, long.release, long.namespace));
    assert.equal(fullname.length, 62);
    assert.ok(!fullname.endsWith('-'));
    assert.equal(fullname, `${long.release}-abcdefgh`);
    const context = probeContext(long.values, long.release, long.namespace);
    // The component suffix always survives the cut, so agent and controller never share a name.
    assert.equal(names.component('agent').evaluate(context), `${long.release}-abc-agent`);
    assert.equal(names.component('controller').evaluate(context), `${long.release.slice(0, 52)}-controller`);
  });

  it('greaterThan compares integers: 8080 > 1, 0 > 1 is false, unset counts as 0', () => {
    assert.deepEqual(['greater-than', 'greater-than-zero', 'greater-than-missing'].map(evaluate), [
      true,
      false,
      false,
    ]);
    assert.throws(() => greaterThan(value('n'), 1.5), /bound 1\.5 is not an integer/);
  });

  it('and/or return an operand, not a boolean, as Go does', () => {
    assert.equal(evaluate('and'), 'sluice');
    assert.equal(evaluate('or'), 'sluice');
  });

  it('ternary refuses a condition that is not a boolean, as Sprig does', () => {
    assert.throws(
      () => ternary(value('s') as Expr<boolean>, 'a', 'b').evaluate(context),
      /ternary: condition "sluice" is not a boolean/,
    );
  });

  it('mergeMaps keeps the base, fills its empty values and adds the missing keys', () => {
    assert.deepEqual(evaluate('merge-maps'), { a: 'sluice', b: 'filled', c: 'base', d: 'new' });
    assert.deepEqual(evaluate('merge-maps-missing'), { a: 'probe' });
    assert.throws(
      () => mergeMaps(dict({ a: 'x' }), literal({ a: { nested: 'y' } })).evaluate(context),
      /key "a" holds a map; only flat maps merge the same way/,
    );
  });

  it('value paths must be Go identifiers', () => {
    assert.throws(() => value('agent.image-tag'), /value path segment "image-tag" is not a Go identifier/);
  });
});
