import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CREDENTIAL_HEADERS, HeaderFilter } from '../src/header-filter.js';

const names = [
  ':authority',
  ':path',
  'content-length',
  'user-type',
  'authorization',
  'cookie',
  'x-api-key',
  'x-envoy-auth-partial-body',
  'x-secret',
];

function allowed(filter: HeaderFilter): string[] {
  return names.filter((name) => filter.allows(name));
}

describe('HeaderFilter', () => {
  it('withholds credential headers and a client-sent partial-body header by default', () => {
    const filter = new HeaderFilter({
      allowedHeaders: undefined,
      disallowedHeaders: [],
      credentialHeaders: DEFAULT_CREDENTIAL_HEADERS,
    });
    assert.deepEqual(allowed(filter), [':authority', ':path', 'content-length', 'user-type', 'x-secret']);
  });

  it('sends a credential header that allowedHeaders names, and only the allowed set', () => {
    const filter = new HeaderFilter({
      allowedHeaders: ['authorization', 'user-type'],
      disallowedHeaders: [],
      credentialHeaders: DEFAULT_CREDENTIAL_HEADERS,
    });
    assert.deepEqual(allowed(filter), [
      ':authority',
      ':path',
      'content-length',
      'user-type',
      'authorization',
    ]);
  });

  it('lets disallowedHeaders win over allowedHeaders, as Envoy does', () => {
    const filter = new HeaderFilter({
      allowedHeaders: ['user-type', 'x-secret'],
      disallowedHeaders: ['x-secret'],
      credentialHeaders: [],
    });
    assert.deepEqual(allowed(filter), [':authority', ':path', 'content-length', 'user-type']);
  });

  it('sends credentials when credentialHeaders is emptied', () => {
    const filter = new HeaderFilter({
      allowedHeaders: undefined,
      disallowedHeaders: [],
      credentialHeaders: [],
    });
    assert.deepEqual(
      allowed(filter),
      names.filter((name) => name !== 'x-envoy-auth-partial-body'),
    );
  });
});
