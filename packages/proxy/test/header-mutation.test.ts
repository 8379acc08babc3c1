import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyHeaderMutations, removeHeaders, toHeaderMutations } from '../src/header-mutation.js';

describe('header mutations', () => {
  it('reads append (when present) before append_action, defaulting to APPEND_IF_EXISTS_OR_ADD', () => {
    const mutations = toHeaderMutations([
      { header: { key: 'X-Set', value: '1' }, append: { value: false } },
      { header: { key: 'x-append', value: '2' }, append: { value: true } },
      { header: { key: 'x-default', value: '3' } },
      { header: { key: 'x-absent', value: '4' }, append_action: 'ADD_IF_ABSENT' },
      { header: { key: 'x-overwrite', value: '5' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-only-existing', value: '6' }, append_action: 'OVERWRITE_IF_EXISTS' },
      { header: { value: 'no key' } },
    ]);
    assert.deepEqual(
      mutations.map((m) => [m.name, m.action]),
      [
        ['x-set', 'overwrite-or-add'],
        ['x-append', 'append-or-add'],
        ['x-default', 'append-or-add'],
        ['x-absent', 'add-if-absent'],
        ['x-overwrite', 'overwrite-or-add'],
        ['x-only-existing', 'overwrite-if-exists'],
      ],
    );
  });

  it('applies each action to an existing and a missing header', () => {
    const headers: Record<string, string> = {
      'x-set': 'old',
      'x-append': 'old',
      'x-absent': 'old',
      'x-overwrite': 'old',
    };
    applyHeaderMutations(headers, [
      { name: 'x-set', value: 'new', action: 'overwrite-or-add' },
      { name: 'x-append', value: 'new', action: 'append-or-add' },
      { name: 'x-fresh', value: 'new', action: 'append-or-add' },
      { name: 'x-absent', value: 'new', action: 'add-if-absent' },
      { name: 'x-overwrite', value: 'new', action: 'overwrite-if-exists' },
      { name: 'x-missing', value: 'new', action: 'overwrite-if-exists' },
    ]);
    assert.deepEqual(headers, {
      'x-set': 'new',
      'x-append': 'old,new',
      'x-fresh': 'new',
      'x-absent': 'old',
      'x-overwrite': 'new',
    });
  });

  it('removes headers but never pseudo-headers or host', () => {
    const headers: Record<string, string> = {
      ':path': '/',
      ':authority': 'a',
      host: 'a',
      'x-drop': '1',
      keep: '2',
    };
    removeHeaders(headers, [':path', 'Host', 'X-Drop']);
    assert.deepEqual(headers, { ':path': '/', ':authority': 'a', host: 'a', keep: '2' });
  });
});

describe('header mutations (properties)', () => {
  it('overwrite-or-add always leaves exactly the new value; append keeps the old one as a prefix', () => {
    const name = fc.constantFrom('a', 'b', 'x-c');
    const value = fc.string({ minLength: 1, maxLength: 8 }).filter((text) => !text.includes(','));
    fc.assert(
      fc.property(fc.dictionary(name, value), name, value, (initial, key, next) => {
        const set = { ...initial };
        applyHeaderMutations(set, [{ name: key, value: next, action: 'overwrite-or-add' }]);
        const appended = { ...initial };
        applyHeaderMutations(appended, [{ name: key, value: next, action: 'append-or-add' }]);
        const old = initial[key];
        return set[key] === next && appended[key] === (old === undefined ? next : `${old},${next}`);
      }),
    );
  });
});
