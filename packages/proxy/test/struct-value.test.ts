import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorizationService } from '@sluice/spec/protos';
import { jsonToStruct, structToJson, type JsonValue } from '../src/struct-value.js';

describe('Struct conversion', () => {
  it('survives the real CheckResponse codec both ways', () => {
    const method = authorizationService().service['Check'];
    assert.ok(method);
    const metadata: Record<string, JsonValue> = {
      s: 'x',
      n: 3.5,
      b: true,
      z: null,
      l: [1, 'two'],
      o: { inner: 'y' },
    };
    const bytes = method.responseSerialize({ status: {}, dynamic_metadata: jsonToStruct(metadata) });
    const decoded = method.responseDeserialize(bytes) as {
      dynamic_metadata?: Parameters<typeof structToJson>[0];
    };
    assert.deepEqual(structToJson(decoded.dynamic_metadata), metadata);
  });

  it('reads snake_case values too', () => {
    assert.deepEqual(structToJson({ fields: { a: { string_value: 'x' }, b: { number_value: 1 } } }), {
      a: 'x',
      b: 1,
    });
  });
});
