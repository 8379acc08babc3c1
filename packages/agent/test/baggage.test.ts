import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { admitBaggage, appendBaggage, formatBaggage, parseBaggage } from '../src/flow-labels/baggage.js';
import { isReservedLabelKey } from '../src/flow-labels/reserved-labels.js';

test('parses members, percent-decodes values and ignores properties', () => {
  const labels = parseBaggage('user_type=guest, tenant=acme%20corp;ttl=30 ,empty=');
  assert.deepEqual(
    labels.map((label) => [label.key, label.value, label.telemetry]),
    [
      ['user_type', 'guest', true],
      ['tenant', 'acme corp', true],
      ['empty', '', true],
    ],
  );
});

test('skips malformed members instead of failing the header', () => {
  const labels = parseBaggage('novalue,=x,bad key=1,ok=1,broken=%E0%A4%A');
  assert.deepEqual(
    labels.map((label) => label.key),
    ['ok'],
  );
});

test('no header or an empty one gives no labels', () => {
  assert.deepEqual(parseBaggage(undefined), []);
  assert.deepEqual(parseBaggage(''), []);
});

test('appends our members after existing ones, and adds nothing when there is nothing to add', () => {
  const added = [{ key: 'user_type', value: 'a b', telemetry: true }];
  assert.equal(appendBaggage('k=v', added), 'k=v,user_type=a%20b');
  assert.equal(appendBaggage(undefined, added), 'user_type=a%20b');
  assert.equal(appendBaggage('k=v', []), undefined);
});

test('a member that would pass the W3C limits (8192 characters, 180 members) is left out', () => {
  const huge = { key: 'tenant', value: 't'.repeat(9000), telemetry: true };
  const small = { key: 'user', value: 'u', telemetry: true };
  assert.equal(appendBaggage('k=v', [huge, small]), 'k=v,user=u');
  assert.equal(
    appendBaggage('k=v', [huge]),
    undefined,
    'nothing added: the header stays as the client sent it',
  );
  assert.equal(appendBaggage('x'.repeat(8190), [small]), undefined);
  const full = Array.from({ length: 180 }, (_, i) => `m${i}=1`).join(',');
  assert.equal(appendBaggage(full, [small]), undefined);
  assert.equal(appendBaggage(full.slice(0, full.lastIndexOf(',')), [small, small])?.split(',').length, 180);
});

test('format then parse round-trips any value', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.stringMatching(/^[a-z_][a-z0-9_.]{0,10}$/), fc.string()), { maxLength: 8 }),
      (pairs) => {
        const labels = pairs.map(([key, value]) => ({ key, value, telemetry: true }));
        assert.deepEqual(
          parseBaggage(formatBaggage(labels)).map((l) => [l.key, l.value]),
          pairs,
        );
      },
    ),
  );
});

test('baggage never sets a label the agent derives, nor a tokens label closed to it', () => {
  const refused: string[] = [];
  const labels = admitBaggage(
    parseBaggage(
      'http.path=/cheap,HTTP.METHOD=GET,http.request.header.authorization=x,aperture.source=sdk,sluice.decision=ok,control_point=free,service=other,cost=0,user=alice',
    ),
    new Set(['cost']),
    (reason) => refused.push(reason),
  );
  assert.deepEqual(
    labels.map((label) => [label.key, label.value]),
    [['user', 'alice']],
  );
  assert.deepEqual(refused, [...Array<string>(7).fill('reserved'), 'tokens']);
  assert.equal(admitBaggage(parseBaggage('cost=5'), new Set(), () => assert.fail()).length, 1);
  for (const key of ['user', 'tenant', 'http_path', 'httpx.path'])
    assert.equal(isReservedLabelKey(key), false, key);
});
