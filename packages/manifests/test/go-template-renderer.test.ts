import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { value } from '../src/template/expr.js';
import { renderObject, yamlScalar } from '../src/template/go-template-renderer.js';
import { each, textLines, when, yamlOf } from '../src/template/template-tree.js';

const render = (tree: Parameters<typeof renderObject>[0]) =>
  renderObject(tree, { helpers: new Map() }).join('\n');

describe('Go template rendering', () => {
  it('prints scalars through toJson, subtrees through toYaml | nindent, and puts the dash on the first data line', () => {
    assert.equal(
      render({
        spec: {
          replicas: value('n'),
          resources: yamlOf(value('r')),
          ports: [{ name: 'grpc', port: value('p') }],
        },
      }),
      [
        'spec:',
        '  replicas: {{ toJson $.Values.n }}',
        '  resources: {{- toYaml $.Values.r | nindent 4 }}',
        '  ports:',
        '    - name: grpc',
        '      port: {{ toJson $.Values.p }}',
      ].join('\n'),
    );
  });

  it('wraps conditionals in {{- if }} lines and gives all-conditional collections an empty form', () => {
    const text = render({ labels: { a: when(value('x'), 'on') } });
    assert.equal(
      text,
      [
        'labels:',
        '  {{- if $.Values.x }}',
        '  {{- if $.Values.x }}',
        '  a: "on"',
        '  {{- end }}',
        '  {{- else }} {}',
        '  {{- end }}',
      ].join('\n'),
    );
    const list = render({ items: [each(value<readonly string[]>('list'), (item) => item)] });
    assert.equal(
      list,
      [
        'items:',
        '  {{- if $.Values.list }}',
        '  {{- range $index0, $item0 := $.Values.list }}',
        '  - {{ toJson $item0 }}',
        '  {{- end }}',
        '  {{- else }} []',
        '  {{- end }}',
      ].join('\n'),
    );
  });

  it('prints text blocks as literal blocks, with conditional lines', () => {
    assert.equal(
      render({ data: { 'a.yaml': textLines('x: 1', when(value('y'), 'y: 2')) } }),
      ['data:', '  a.yaml: |', '    x: 1', '    {{- if $.Values.y }}', '    y: 2', '    {{- end }}'].join(
        '\n',
      ),
    );
  });

  it('quotes YAML 1.1 look-alikes and never lets literal text open an action', () => {
    assert.deepEqual(['on', 'no', '1.0', 'plain', '{{ x }}'].map(yamlScalar), [
      '"on"',
      '"no"',
      '"1.0"',
      'plain',
      '{{ "{{ x }}" | toJson }}',
    ]);
  });

  it('refuses shapes Helm would render differently from synthesis', () => {
    assert.throws(
      () => render({ items: [{ a: when(value('x'), 1) }] }),
      /every entry is conditional would render as null/,
    );
    assert.throws(
      () => render({ data: textLines('  indented first line') }),
      /must not start with whitespace/,
    );
    assert.throws(
      () => render({ bad: each(value<readonly string[]>('l'), (i) => i) as never }),
      /each\(\) is only allowed as a list item/,
    );
  });
});
