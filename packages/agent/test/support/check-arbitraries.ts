import fc from 'fast-check';
import { FUZZ_CONTROL_POINT } from './fuzz-policy.js';

/**
 * fast-check arbitraries for hostile ext_authz CheckRequests, in the object form proto-loader
 * serialises (snake_case). Strings use the `binary` unit, so they include lone surrogates, which
 * protobufjs writes as invalid UTF-8 on the wire. Sizes stay small by default; the huge shapes
 * (megabyte values, 10,000 headers) come from explicit generators so they appear on purpose.
 */

/** Any string, lone surrogates and control characters included. */
export const anyString = fc.string({ unit: 'binary', maxLength: 40 });

/** Numbers as text, the way a client writes a tokens header or baggage member. */
const numericText = fc.oneof(
  fc.constantFrom(
    '1e308',
    '-1e308',
    '1e309',
    '-1',
    '0',
    '-0',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x10',
    '1e-320',
    '9007199254740993',
    '9223372036854775807',
    ' 5 ',
    '',
  ),
  fc.double().map(String),
  fc.integer().map(String),
);

/** Header names: ones the agent reads, prototype keys, pseudo-headers, and anything at all. */
const headerName = fc.oneof(
  fc.constantFrom(
    'content-type',
    'Content-Type',
    'x-user',
    'X-User',
    'x-tokens',
    'baggage',
    'content-length',
    ':path',
    ':authority',
    ':method',
    ':scheme',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '',
  ),
  anyString,
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
);

/** W3C baggage values, well-formed and not: bad percent-escapes, huge member counts, absurd tokens. */
const baggage = fc.oneof(
  fc
    .tuple(numericText, anyString, anyString)
    .map(
      ([tokens, user, tier]) =>
        `tokens=${tokens},user=${encodeURIComponent(user.replace(/[\uD800-\uDFFF]/g, ''))};p=1,tier=${tier}`,
    ),
  fc.constantFrom('tokens=%ZZ', '=,=,=', ';;;', 'a=b'.repeat(3000), Array(500).fill('k=v').join(',')),
  anyString,
);

const headerValue = fc.oneof(anyString, numericText, baggage);

/** Bodies: JSON the classifier reads, JSON it cannot, deep nesting, and raw garbage. */
const body = fc.oneof(
  fc.constant(''),
  anyString,
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.constantFrom('gold', 'silver', '', 'x').map((tier) => JSON.stringify({ account: { tier } })),
  fc.constantFrom('{"account":', '{"account":{"tier":"gold"', 'null', '[]', '"str"', '1e400'),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/JSON; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=--',
  'json',
  '',
);

/** int64 `size`: Envoy's -1, zero, both int64 extremes (as decimal strings), and anything between. */
const size = fc.oneof(
  fc.constantFrom(-1, 0, '9223372036854775807', '-9223372036854775808', 2 ** 53, -(2 ** 53)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  fc.integer(),
);

const path = fc.oneof(
  anyString,
  anyString.map((tenant) => `/tenants/${tenant}/orders`),
  fc.constantFrom('/tenants/%E0%A4%A/orders', '/tenants//orders', '/tenants/%ZZ/orders?x=%', '?', '/a?b?c'),
);

const stringMap = (key: fc.Arbitrary<string>, value: fc.Arbitrary<string>) =>
  fc.dictionary(key, value, { maxKeys: 6 });

const headers = fc
  .tuple(
    stringMap(headerName, headerValue),
    fc.option(contentType, { nil: undefined }),
    fc.option(anyString, { nil: undefined }),
    fc.option(numericText, { nil: undefined }),
    fc.option(baggage, { nil: undefined }),
  )
  .map(([random, type, user, tokens, bag]) => ({
    ...random,
    ...(type !== undefined ? { 'content-type': type } : {}),
    ...(user !== undefined ? { 'x-user': user } : {}),
    ...(tokens !== undefined ? { 'x-tokens': tokens } : {}),
    ...(bag !== undefined ? { baggage: bag } : {}),
  }));

/** AttributeContext.HttpRequest with every field optional. */
const httpRequest = fc.record(
  {
    id: anyString,
    method: fc.oneof(fc.constantFrom('GET', 'POST', 'get', ''), anyString),
    headers,
    path,
    host: fc.oneof(anyString, fc.constantFrom('svc:8080', 'svc:', ':80', 'a.b.c:99999999999')),
    scheme: anyString,
    query: anyString,
    fragment: anyString,
    size,
    protocol: fc.oneof(fc.constantFrom('HTTP/1.1', 'HTTP/2', 'HTTP/3'), anyString),
    body,
    raw_body: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  },
  { requiredKeys: [] },
);

const peer = fc.record(
  { service: anyString, principal: anyString, labels: stringMap(anyString, anyString) },
  { requiredKeys: [] },
);

/** A small google.protobuf.Struct (the well-known types take camelCase in object form). */
const struct = fc.dictionary(
  anyString,
  fc.oneof(
    anyString.map((text) => ({ stringValue: text })),
    fc.double().map((value) => ({ numberValue: value })),
    fc.boolean().map((value) => ({ boolValue: value })),
  ),
  { maxKeys: 3 },
);

/** A CheckRequest in which any part may be missing. */
export const checkRequestArbitrary = fc.record(
  {
    attributes: fc.record(
      {
        source: peer,
        destination: peer,
        request: fc.record({ http: httpRequest }, { requiredKeys: [] }),
        context_extensions: stringMap(
          fc.oneof(fc.constant('control-point'), anyString),
          fc.oneof(fc.constant(FUZZ_CONTROL_POINT), anyString),
        ),
        metadata_context: fc.record(
          {
            filter_metadata: fc.dictionary(
              anyString,
              struct.map((fields) => ({ fields })),
              { maxKeys: 2 },
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

/**
 * The `control-point` gRPC metadata: absent, the fuzz policy's, or any printable ASCII (what a gRPC
 * client can put in a text header).
 */
export const controlPointMetadata = fc.oneof(
  { weight: 4, arbitrary: fc.constant(FUZZ_CONTROL_POINT) },
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
      maxLength: 30,
    }),
  },
);

/** Huge shapes, each on purpose: megabyte values, 10,000 headers, an int64-max size with a big body. */
export const hugeCheckRequestArbitrary = fc
  .record({
    kind: fc.constantFrom('huge-header', 'huge-body', 'many-headers', 'huge-path', 'huge-baggage'),
    bytes: fc.integer({ min: 100_000, max: 2_000_000 }),
    seed: fc.integer(),
  })
  .map(({ kind, bytes, seed }) => {
    const http: Record<string, unknown> = {
      method: 'POST',
      path: '/',
      host: 'svc',
      size: '9223372036854775807',
      headers: { 'content-type': 'application/json', 'x-user': `u${seed}` },
    };
    const headers = http.headers as Record<string, string>;
    switch (kind) {
      case 'huge-header':
        headers[`x-${'h'.repeat(bytes % 10_000)}`] = 'v'.repeat(bytes);
        break;
      case 'huge-body':
        http.body = `{"account":{"tier":"${'g'.repeat(bytes)}"}}`;
        break;
      case 'many-headers':
        for (let i = 0; i < 10_000; i++) headers[`x-header-${seed}-${i}`] = `value-${i}`;
        break;
      case 'huge-path':
        http.path = `/tenants/${'t'.repeat(bytes)}/orders`;
        break;
      case 'huge-baggage':
        headers.baggage = `tokens=1,${'member=value,'.repeat(bytes / 13)}`;
        break;
    }
    return { kind, request: { attributes: { request: { http } } } };
  });
