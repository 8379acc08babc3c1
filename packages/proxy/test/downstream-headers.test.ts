import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { envoyRequestHeaders, upstreamRequestHeaders } from '../src/downstream-headers.js';

describe('envoyRequestHeaders', () => {
  it('builds pseudo-headers, drops hop-by-hop headers, joins repeats and adds request id and proto', () => {
    const headers = envoyRequestHeaders(
      [
        'Host',
        'svc:80',
        'Connection',
        'keep-alive',
        'Accept',
        'a',
        'ACCEPT',
        'b',
        'Cookie',
        'x=1',
        'cookie',
        'y=2',
        'User-Type',
        'guest',
      ],
      { method: 'GET', path: '/p?q=1', scheme: 'http' },
      () => 'generated-id',
    );
    assert.deepEqual(headers, {
      ':authority': 'svc:80',
      ':path': '/p?q=1',
      ':method': 'GET',
      ':scheme': 'http',
      accept: 'a,b',
      cookie: 'x=1; y=2',
      'user-type': 'guest',
      'x-forwarded-proto': 'http',
      'x-request-id': 'generated-id',
    });
  });

  it('keeps a client x-request-id and does not call the generator', () => {
    const headers = envoyRequestHeaders(
      ['x-request-id', 'mine'],
      { method: 'GET', path: '/', scheme: 'http' },
      () => assert.fail('generator called'),
    );
    assert.equal(headers['x-request-id'], 'mine');
  });

  it('turns :authority back into host for the upstream and drops the other pseudo-headers', () => {
    assert.deepEqual(
      upstreamRequestHeaders({
        ':authority': 'svc',
        ':path': '/',
        ':method': 'GET',
        ':scheme': 'http',
        a: '1',
      }),
      { host: 'svc', a: '1' },
    );
  });
});
