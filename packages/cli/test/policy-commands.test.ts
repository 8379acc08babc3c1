import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sluicectl, tempDir } from './cli-support.js';

const VALID = `apiVersion: sluice.dev/v1alpha1
kind: FlowPolicy
metadata: {name: protect}
spec:
  loadSchedulers:
    - name: protect
      selectors: [{controlPoint: ingress}]
`;

test('a valid policy file exits 0 with a SOURCE NAME STATUS HASH MESSAGE table', async () => {
  const file = join(tempDir(), 'protect.yaml');
  writeFileSync(file, VALID);
  const run = await sluicectl(['policy', 'validate', file]);
  assert.equal(run.code, 0, run.stderr);
  const [header, row, ...rest] = run.stdout.trimEnd().split('\n');
  assert.match(header ?? '', /^SOURCE\s+NAME\s+STATUS\s+HASH\s+MESSAGE$/);
  assert.deepEqual((row ?? '').split(/\s{2,}/).slice(0, 3), [file, 'protect', 'Valid']);
  assert.match(row ?? '', /Valid\s+[0-9a-f]{12}$/);
  assert.equal(rest.length, 0);
  assert.equal(run.stderr, '');
});

test('policy validate -o json gives each document with its source and full hash', async () => {
  const file = join(tempDir(), 'protect.yaml');
  writeFileSync(file, VALID);
  const run = await sluicectl(['policy', 'validate', '-o', 'json', file]);
  assert.equal(run.code, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as { source: string; name: string; status: string; hash: string }[];
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.source, file);
  assert.equal(rows[0]?.name, 'protect');
  assert.equal(rows[0]?.status, 'Valid');
  assert.match(rows[0]?.hash ?? '', /^[0-9a-f]{32}$/);
  const yaml = await sluicectl(['policy', 'validate', '-o', 'yaml', file]);
  assert.equal(yaml.code, 0);
  assert.match(yaml.stdout, /^- source: .*protect\.yaml\n {2}name: protect\n {2}status: Valid\n/);
});

test('- reads standard input, reported as <stdin>', async () => {
  const run = await sluicectl(['policy', 'validate', '-o', 'json', '-'], { stdin: VALID });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    (JSON.parse(run.stdout) as { source: string; name: string }[]).map((row) => [row.source, row.name]),
    [['<stdin>', 'protect']],
  );
  const none = await sluicectl(['policy', 'validate', '-']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /-: there is no standard input to read/);
});

test('each document of a multi-document file is validated and reported as FILE#N', async () => {
  const file = join(tempDir(), 'many.yaml');
  const second = VALID.replace('{name: protect}', '{name: second}');
  const broken = VALID.replace('{name: protect}', '{name: third}').replace(
    'controlPoint: ingress',
    'controlPoint: 7',
  );
  writeFileSync(file, `${VALID}---\n${second}---\n${broken}`);
  const run = await sluicectl(['policy', 'validate', '-o', 'json', file]);
  assert.equal(run.code, 2);
  const rows = JSON.parse(run.stdout) as { source: string; name: string; status: string; message: string }[];
  assert.deepEqual(
    rows.map((row) => [row.source, row.name, row.status]),
    [
      [`${file}#1`, 'protect', 'Valid'],
      [`${file}#2`, 'second', 'Valid'],
      [`${file}#3`, 'third', 'Invalid'],
    ],
  );
  assert.match(
    rows[2]?.message ?? '',
    /spec\.loadSchedulers\[0\]\.selectors\[0\]\.controlPoint: 7 is not allowed/,
  );
  assert.match(run.stderr, new RegExp(`${file}#3 is invalid:\\n\\s+- spec\\.loadSchedulers`));
  assert.doesNotMatch(run.stderr, /#1|#2/);
});

test('a policy name used in two files is refused, naming both owners', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.yaml'), VALID);
  writeFileSync(join(dir, 'b.yaml'), VALID);
  const run = await sluicectl(['policy', 'validate', 'a.yaml', 'b.yaml'], { cwd: dir });
  assert.equal(run.code, 2);
  const rows = run.stdout
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s{2,}/));
  assert.deepEqual(
    rows.map((row) => [row[0], row[1], row[2], row[4]]),
    [
      ['a.yaml', 'protect', 'Invalid', 'name protect is also defined by b.yaml'],
      ['b.yaml', 'protect', 'Invalid', 'name protect is also defined by a.yaml'],
    ],
  );
  assert.match(run.stderr, /FlowPolicy name protect is defined by a\.yaml and b\.yaml; names must be unique/);
});

test('an invalid policy exits 2 with path-precise errors', async () => {
  const file = join(tempDir(), 'bad.yaml');
  writeFileSync(
    file,
    VALID.replace(
      'name: protect\n      selectors',
      'name: protect\n      dryRun: sometimes\n      selectors',
    ),
  );
  const run = await sluicectl(['policy', 'validate', file]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /bad\.yaml is invalid:\n\s+- spec\.loadSchedulers\[0\]\.dryRun: "sometimes" is not allowed; expected boolean/,
  );
});

test('broken YAML and no file are bad input', async () => {
  const file = join(tempDir(), 'broken.yaml');
  writeFileSync(file, 'spec: [unclosed\n');
  const broken = await sluicectl(['policy', 'validate', file]);
  assert.equal(broken.code, 2);
  assert.match(
    broken.stderr,
    /broken\.yaml:2:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a \]\n/,
  );
  const none = await sluicectl(['policy', 'validate']);
  assert.equal(none.code, 2);
  assert.match(
    none.stderr,
    /^sluicectl policy validate: name at least one FILE \(- reads standard input\)\n$/,
  );
});

test('a duplicate key is a YAML error at file:line:col, not a schema error', async () => {
  const file = join(tempDir(), 'dup.yaml');
  writeFileSync(file, VALID.replace('kind: FlowPolicy\n', 'kind: FlowPolicy\nkind: FlowPolicy\n'));
  const run = await sluicectl(['policy', 'validate', file]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /dup\.yaml:3:1: YAML syntax error: Map keys must be unique\n/);
  assert.doesNotMatch(run.stderr, /is not allowed/);
  assert.match(run.stdout, /dup\.yaml\s+-\s+Invalid\s+-\s+.*Map keys must be unique/);
});

test('an empty file or empty standard input is reported, not passed as valid', async () => {
  const run = await sluicectl(['policy', 'validate', '-o', 'json', '-'], { stdin: '# nothing here\n' });
  assert.equal(run.code, 2);
  assert.deepEqual(JSON.parse(run.stdout), [
    { source: '<stdin>', name: null, status: 'Invalid', hash: null, message: 'no YAML document' },
  ]);
  assert.match(run.stderr, /<stdin>: no YAML document; expected a FlowPolicy\n$/);
});
