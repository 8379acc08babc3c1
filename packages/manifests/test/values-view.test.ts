import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { literalView, valuesView } from '../src/template/values-view.js';
import { probeContext } from './support/probe-chart.js';

interface Values {
  readonly image: { readonly repository: string; readonly tag?: string };
  readonly ports: { readonly grpc: number };
  readonly tolerations: readonly { readonly operator: string }[];
  readonly redis?: { readonly url?: string };
}

const scope = { helpers: new Map<string, string>() };

describe('values views', () => {
  it('over Helm values, a leaf prints as a .Values path under the prefix', () => {
    const view = valuesView<Values>(['agent']);
    assert.equal(view.image.tag.$.toGo(scope), '$.Values.agent.image.tag');
    assert.equal(view.ports.$.toGo(scope), '$.Values.agent.ports');
    assert.equal(view.redis.url.$.toGo(scope), '$.Values.agent.redis.url');
  });

  it('over Helm values, a leaf evaluates against the values it is given, unset as undefined', () => {
    const view = valuesView<Values>(['agent']);
    const context = probeContext({ agent: { image: { repository: 'r' }, ports: { grpc: 8080 } } });
    assert.equal(view.ports.grpc.$.evaluate(context), 8080);
    assert.equal(view.image.tag.$.evaluate(context), undefined);
    assert.equal(view.redis.url.$.evaluate(context), undefined);
  });

  it('over parsed props, a leaf is a constant, whole subtrees included', () => {
    const data: Values = {
      image: { repository: 'r', tag: '1' },
      ports: { grpc: 9 },
      tolerations: [{ operator: 'Exists' }],
    };
    const view = literalView(data);
    const context = probeContext({});
    assert.equal(view.image.tag.$.evaluate(context), '1');
    assert.deepEqual(view.tolerations.$.evaluate(context), [{ operator: 'Exists' }]);
    assert.equal(view.redis.url.$.evaluate(context), undefined);
    assert.equal(view.ports.grpc.$.toGo(scope), '9');
  });
});
