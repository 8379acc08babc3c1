/**
 * decodeCheckRequest against the reading it replaces: proto-loader's deserialiser (protobufjs decode
 * and toObject, the Envoy protos) followed by parseCheckRequest. Valid messages must read the same,
 * header key order included; malformed bytes must be refused with a WireFormatError or, where both
 * readers accept them, read the same.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { authorizationService, loadProtobufRoot } from '@sluice/spec/protos';
import { decodeCheckRequest } from '../src/check/check-request-decoder.js';
import { parseCheckRequest, type ParsedCheck } from '../src/check/check-request.js';
import { WireFormatError } from '../src/check/wire-reader.js';
import { checkRequestArbitrary } from './support/check-arbitraries.js';
import { serviceMethod } from './support/raw-grpc.js';

const Check = serviceMethod(authorizationService(), 'Check');
const root = loadProtobufRoot();
const HttpRequest = root.lookupType('envoy.service.auth.v3.AttributeContext.HttpRequest');

/** The reading the agent did before: proto-loader's object, then parseCheckRequest. */
function reference(bytes: Buffer): ParsedCheck {
  return parseCheckRequest(Check.requestDeserialize(bytes));
}

function assertSameReading(actual: ParsedCheck, expected: ParsedCheck, context: string): void {
  assert.deepStrictEqual(actual, expected, context);
  assert.deepStrictEqual(Object.keys(actual.http.headers), Object.keys(expected.http.headers), context);
}

/** A length-delimited field `number` holding `bytes`, as the wire writes it. */
function field(number: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
}

function varint(value: number): Buffer {
  const out: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 128)) out.push((value & 0x7f) | 0x80);
  out.push(value);
  return Buffer.from(out);
}

/** CheckRequest { attributes { request { http: <httpBytes> } } } around raw HttpRequest bytes. */
function checkWithHttp(httpBytes: Uint8Array): Buffer {
  return field(1, field(4, field(2, httpBytes)));
}

function httpBytes(message: Record<string, unknown>): Buffer {
  return Buffer.from(HttpRequest.encode(HttpRequest.fromObject(message)).finish());
}

describe('decodeCheckRequest', () => {
  it('reads 3,000 arbitrary CheckRequests exactly as proto-loader + parseCheckRequest do', () => {
    fc.assert(
      fc.property(checkRequestArbitrary, (message) => {
        const bytes = Check.requestSerialize(message);
        assertSameReading(decodeCheckRequest(bytes), reference(bytes), 'valid message');
      }),
      { seed: 20_261_125, numRuns: 3_000 },
    );
  });

  it('on truncated and corrupted bytes: refuses with a WireFormatError, or reads what protobufjs reads', () => {
    const tally = { bothRead: 0, refusedByDecoder: 0, refusedByProtobufjs: 0 };
    fc.assert(
      fc.property(
        checkRequestArbitrary,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (message, flips, keep) => {
          const bytes = Buffer.from(Check.requestSerialize(message));
          for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value;
          const cut = bytes.subarray(0, Math.ceil(bytes.length * keep));
          let decoded: ParsedCheck | undefined;
          try {
            decoded = decodeCheckRequest(cut);
          } catch (error) {
            assert.ok(error instanceof WireFormatError, `not a WireFormatError: ${String(error)}`);
            assert.match(error.message, / at offset \d+$/);
            tally.refusedByDecoder++;
            return;
          }
          let expected: ParsedCheck;
          try {
            expected = reference(cut);
          } catch {
            tally.refusedByProtobufjs++;
            return;
          }
          tally.bothRead++;
          assertSameReading(decoded, expected, `corrupted message ${cut.toString('hex')}`);
        },
      ),
      { seed: 20_261_126, numRuns: 3_000 },
    );
    // Each branch must have been taken, or the property proved less than it says.
    assert.ok(tally.bothRead > 300 && tally.refusedByDecoder > 300, JSON.stringify(tally));
  });

  it('folds header names to lower case with later entries winning, as parseCheckRequest does', () => {
    // Three entries in one HttpRequest (concatenated messages merge their map entries).
    const http = Buffer.concat([
      httpBytes({ headers: { 'X-User': 'first' } }),
      httpBytes({ headers: { 'x-user': 'second' } }),
      httpBytes({ headers: { 'X-User': 'third', accept: 'json' } }),
    ]);
    const decoded = decodeCheckRequest(checkWithHttp(http));
    assertSameReading(decoded, reference(checkWithHttp(http)), 'mixed-case duplicates');
    // proto-loader's object keeps 'X-User' at its first position with its last value, then 'x-user'.
    assert.equal(decoded.http.headers['x-user'], 'second');
    assert.deepEqual(Object.keys(decoded.http.headers), ['x-user', 'accept']);
  });

  it('reads int64 size as protobufjs does: -1, both extremes, 2^53', () => {
    for (const size of [
      -1,
      0,
      1,
      2 ** 53,
      -(2 ** 53),
      '9223372036854775807',
      '-9223372036854775808',
      4294967296,
    ]) {
      const bytes = checkWithHttp(httpBytes({ size }));
      assert.equal(decodeCheckRequest(bytes).http.size, reference(bytes).http.size, `size ${size}`);
    }
    assert.equal(decodeCheckRequest(checkWithHttp(httpBytes({ size: -1 }))).http.size, -1);
  });

  it('takes the pseudo-headers when method, path, host and scheme are absent, and raw_body as UTF-8', () => {
    const bytes = checkWithHttp(
      httpBytes({
        headers: { ':method': 'PUT', ':path': '/p', ':authority': 'h:1', ':scheme': 'https' },
        raw_body: Buffer.from('{"a":"é"}'),
      }),
    );
    const decoded = decodeCheckRequest(bytes);
    assert.deepEqual(
      [decoded.http.method, decoded.http.path, decoded.http.host, decoded.http.scheme, decoded.http.body],
      ['PUT', '/p', 'h:1', 'https', '{"a":"é"}'],
    );
    assertSameReading(decoded, reference(bytes), 'pseudo-headers');
  });

  it('skips fields it does not read, groups included', () => {
    const group = Buffer.from([(7 << 3) | 3, 0x08, 0x01, (7 << 3) | 4]); // field 7: start, varint, end
    const bytes = Buffer.concat([checkWithHttp(Buffer.concat([group, httpBytes({ method: 'GET' })])), group]);
    assert.equal(decodeCheckRequest(bytes).http.method, 'GET');
  });

  it('refuses malformed input with the problem and its offset', () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      [
        'a known field with the wrong wire type',
        checkWithHttp(Buffer.from([(2 << 3) | 0, 0x01])),
        /field 2 has wire type 0, expected 2 at offset \d+/,
      ],
      [
        'a string past its message',
        checkWithHttp(Buffer.from([(2 << 3) | 2, 0x10, 0x41])),
        /length 16 runs past its message/,
      ],
      ['a truncated varint', Buffer.from([0x0a, 0x02, 0x08, 0x80]), /truncated varint/],
      ['wire type 7', Buffer.from([(3 << 3) | 7]), /invalid wire type 7 at offset 1/],
      ['an end-group with no start', Buffer.from([(3 << 3) | 4]), /invalid wire type 4/],
      ['an unterminated group', Buffer.from([(3 << 3) | 3, 0x08, 0x01]), /truncated varint/],
    ];
    for (const [what, bytes, message] of cases)
      assert.throws(
        () => decodeCheckRequest(bytes),
        (error: unknown) => error instanceof WireFormatError && message.test(error.message),
        what,
      );
  });

  it('reads an empty message as an empty request', () => {
    assertSameReading(decodeCheckRequest(Buffer.alloc(0)), reference(Buffer.alloc(0)), 'empty');
  });
});
