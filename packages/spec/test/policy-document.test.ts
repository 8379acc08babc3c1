import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePolicyFile } from '../src/index.js';
import { MAX_NESTING_DEPTH } from '../src/compile/policy-document.js';

function issues(text: string) {
  const result = decodePolicyFile(text);
  assert.ok(!result.ok, 'expected the file to be refused');
  return result.issues;
}

test('one YAML or JSON document decodes to plain data', () => {
  assert.deepEqual(decodePolicyFile('kind: FlowPolicy\nspec: {a: [1, 2]}\n'), {
    ok: true,
    document: { kind: 'FlowPolicy', spec: { a: [1, 2] } },
  });
  assert.deepEqual(decodePolicyFile('{"kind": "FlowPolicy"}'), {
    ok: true,
    document: { kind: 'FlowPolicy' },
  });
});

test('a file holds exactly one document', () => {
  assert.deepEqual(issues('kind: FlowPolicy\n---\nkind: FlowPolicy\n'), [
    { path: '(file)', value: '2 documents', allowed: 'exactly one FlowPolicy document per file' },
  ]);
  assert.equal(issues('# only a comment\n')[0]?.value, '0 documents');
});

test('a syntax error names its line and column', () => {
  const [issue] = issues('kind: FlowPolicy\nspec: [a\n');
  assert.equal(issue?.path, '(line 3, column 1)');
  assert.match(issue?.allowed ?? '', /^valid YAML: /);
});

test(`nesting is allowed to ${MAX_NESTING_DEPTH} levels and refused at the next, in block and flow style`, () => {
  const flow = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  assert.equal(decodePolicyFile(flow(MAX_NESTING_DEPTH)).ok, true);
  assert.deepEqual(issues(flow(MAX_NESTING_DEPTH + 1)), [
    {
      path: `(line 1, column ${MAX_NESTING_DEPTH + 1})`,
      value: `more than ${MAX_NESTING_DEPTH} levels of nesting`,
      allowed: `at most ${MAX_NESTING_DEPTH} levels (a FlowPolicy needs about 10)`,
    },
  ]);
  // 100,000 open brackets would overflow yaml's recursive composer; the iterative check stops first.
  assert.equal(issues('['.repeat(100_000))[0]?.path, `(line 1, column ${MAX_NESTING_DEPTH + 1})`);
  const block = (depth: number) => `${'- '.repeat(depth)}x\n`;
  assert.equal(decodePolicyFile(block(MAX_NESTING_DEPTH)).ok, true);
  assert.equal(
    issues(block(MAX_NESTING_DEPTH + 1))[0]?.path,
    `(line 1, column ${2 * MAX_NESTING_DEPTH + 1})`,
  );
});

test('aliases: a billion laughs, an alias before its anchor and a recursive alias are refused', () => {
  const lines = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let level = 1; level < 10; level++) {
    const anchor = String.fromCharCode(97 + level);
    lines.push(
      `${anchor}: &${anchor} [${Array<string>(9)
        .fill(`*${String.fromCharCode(96 + level)}`)
        .join(', ')}]`,
    );
  }
  assert.match(issues(lines.join('\n'))[0]?.allowed ?? '', /^aliases that resolve, at most 100 expansions/);
  assert.match(issues('kind: *missing\n')[0]?.allowed ?? '', /Unresolved alias/);
  assert.deepEqual(issues('spec: &spec\n  loop: *spec\n'), [
    {
      path: '(file)',
      value: 'a recursive alias',
      allowed: 'a document that is a tree (no alias inside its own anchor)',
    },
  ]);
});
