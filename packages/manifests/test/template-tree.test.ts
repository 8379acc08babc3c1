import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concat, literal, value } from '../src/template/expr.js';
import { each, evaluateTree, textLines, type Tree, when, yamlOf } from '../src/template/template-tree.js';
import { byKey, HELMS, helmTemplate } from './support/helm.js';
import { evaluateProbe, probeContext, writeProbeChart } from './support/probe-chart.js';

interface Tenant {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly tls?: boolean;
}

/** The shapes the next constructs need: optional fields and objects, loops (nested, empty), pass-through, text. */
const TREES: Readonly<Record<string, Tree>> = {
  'single-field': {
    always: 1,
    maybe: when(value('flag'), value('text')),
    either: when(value('flag'), 'on-branch', 'off-branch'),
  },
  'whole-object': { spec: when(value('flag'), { a: 1, b: { c: value('text') } }), kept: true },
  'list-items': [
    'first',
    when(value('flag'), 'second'),
    each(value<readonly string[]>('words'), (word) => concat('w-', word)),
    'last',
  ],
  // Every member is dynamic, so an empty result must still be [] and {}, never null.
  'all-dynamic-list': [each(value<readonly string[]>('words'), (word) => word)],
  'all-dynamic-object': { labels: { maybe: when(value('flag'), 'x') } },
  tenants: [
    each(value<readonly Tenant[]>('tenants'), (tenant, index) => ({
      name: tenant.field('name'),
      position: index,
      tls: when(tenant.field('tls'), {
        mode: 'SIMPLE',
        credentialName: concat(tenant.field('name'), '-cert'),
      }),
      hosts: [each(tenant.field('hosts'), (host) => ({ host, owner: tenant.field('name') }))],
    })),
  ],
  'pass-through': {
    resources: yamlOf(value('resources')),
    tolerations: yamlOf(value('tolerations')),
    empty: yamlOf(value('emptyMap')),
  },
  'text-file': {
    data: {
      'config.yaml': textLines(
        'static: true',
        concat('text: ', value('text')),
        when(value('flag'), 'flag: on'),
        'end: 1',
      ),
    },
  },
  'list-of-objects': [
    { name: 'a', value: when(value('flag'), 1) },
    when(value('flag'), { name: 'b' }, { name: 'c' }),
  ],
};

const TENANTS: readonly Tenant[] = [
  { name: 'acme', hosts: ['acme.example.com', 'www.acme.example.com'], tls: true },
  { name: 'globex', hosts: [] },
  { name: 'initech', hosts: ['initech.example.com'], tls: false },
];

const VALUE_SETS: readonly Record<string, unknown>[] = [
  {
    flag: true,
    text: 'yes',
    words: ['one', 'two', 'three'],
    tenants: TENANTS,
    resources: { limits: { cpu: '1' } },
    tolerations: [{ operator: 'Exists' }],
    emptyMap: {},
    docs: [{ name: 'x' }, { name: 'y' }],
  },
  { flag: false, text: 'on', words: [], tenants: [], resources: {}, tolerations: [], emptyMap: {}, docs: [] },
  {
    flag: 0,
    text: '',
    words: ['only'],
    tenants: TENANTS.slice(0, 1),
    resources: { requests: { memory: '1Gi' } },
    tolerations: [],
    emptyMap: {},
    docs: [{ name: 'z' }],
  },
];

const LIST = {
  file: 'docs.yaml',
  forEach: value<readonly { name: string }[]>('docs'),
  // One document per element of `docs`, as per-tenant objects will be.
  build: (item: ReturnType<typeof value<{ name: string }>>) => ({
    apiVersion: 'test.sluice.dev/v1',
    kind: 'Doc',
    metadata: { name: item.field('name') },
  }),
};

const chart = writeProbeChart(TREES, [LIST as never]);

for (const helm of HELMS) {
  describe(`trees render in Helm ${helm.major} as they evaluate`, () => {
    VALUE_SETS.forEach((values, index) => {
      it(`value set ${index}`, async () => {
        const rendered = byKey(
          await helmTemplate(helm, chart, { release: 'probe', namespace: 'probe-ns', values }),
        );
        for (const [name, tree] of Object.entries(TREES)) {
          assert.deepEqual(
            rendered.get(`Probe//${name}`),
            evaluateProbe(name, tree, probeContext(values)),
            name,
          );
        }
        const docs = (values.docs as { name: string }[]).map((doc) => `Doc//${doc.name}`);
        assert.deepEqual(
          [...rendered.keys()].filter((key) => key.startsWith('Doc/')),
          docs,
        );
      });
    });
  });
}

describe('evaluation gives the numbers the shapes promise', () => {
  const [full, empty] = VALUE_SETS as [Record<string, unknown>, Record<string, unknown>];
  const result = (name: string, values: Record<string, unknown>) =>
    (evaluateProbe(name, TREES[name] as Tree, probeContext(values)) as { result: unknown }).result;

  it('loops: 3 tenants, 3 hosts in all, TLS only where asked, positions 0..2', () => {
    const tenants = result('tenants', full) as {
      name: string;
      position: number;
      tls?: unknown;
      hosts: unknown[];
    }[];
    assert.deepEqual(
      tenants.map((t) => [t.name, t.position, t.hosts.length, t.tls !== undefined]),
      [
        ['acme', 0, 2, true],
        ['globex', 1, 0, false],
        ['initech', 2, 1, false],
      ],
    );
    assert.deepEqual((tenants[0]?.hosts as unknown[])[1], { host: 'www.acme.example.com', owner: 'acme' });
    assert.deepEqual(result('tenants', empty), []);
  });

  it('conditionals: a false flag drops the field, the object, the item and the text line', () => {
    assert.deepEqual(result('single-field', empty), { always: 1, either: 'off-branch' });
    assert.deepEqual(result('whole-object', empty), { kept: true });
    assert.deepEqual(result('list-items', empty), ['first', 'last']);
    assert.deepEqual(result('list-items', full), ['first', 'second', 'w-one', 'w-two', 'w-three', 'last']);
    assert.deepEqual(result('all-dynamic-list', empty), []);
    assert.deepEqual(result('all-dynamic-object', empty), { labels: {} });
    assert.deepEqual(result('text-file', empty), {
      data: { 'config.yaml': 'static: true\ntext: on\nend: 1\n' },
    });
  });

  it('an optional leaf left unset is an error, because Helm would print null there', () => {
    assert.throws(
      () => evaluateTree({ a: value('missing') }, probeContext({})),
      /a: expression evaluated to nothing; wrap optional leaves in when\(\)/,
    );
  });

  it('each() outside a list is refused', () => {
    assert.throws(
      () => evaluateTree({ a: each(literal(['x']), (x) => x) }, probeContext({})),
      /each\(\) is only allowed as a list item/,
    );
  });
});
