import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { authorizationService } from '@sluice/spec/protos';
import { encodeCheckResponse } from '../src/check/check-response-encoder.js';
import type { CheckResponseMessage } from '../src/check/check-response.js';
import { anyString } from './support/check-arbitraries.js';

/** proto-loader's own serialiser for the answer, which the encoder must match byte for byte. */
const reference = (message: CheckResponseMessage): Buffer =>
  authorizationService().service.Check?.responseSerialize(message) as Buffer;

/** Strings of every length class: the encoder writes those under 40 units differently. */
const text = fc.oneof(
  anyString,
  fc.string({ unit: 'binary', minLength: 35, maxLength: 300 }),
  fc.constant(''),
);
const code = fc.oneof(fc.constantFrom(0, 14, 200, 429, 503, -1, 2 ** 31, 2 ** 32 + 5), fc.integer());
const headerOption = fc.record({
  header: fc.record({ key: text, value: text }),
  append_action: fc.constantFrom(
    'OVERWRITE_IF_EXISTS_OR_ADD',
    'APPEND_IF_EXISTS_OR_ADD',
    'ADD_IF_ABSENT',
    'OVERWRITE_IF_EXISTS',
    'NOT_AN_ACTION',
    'toString',
  ),
});
const headers = fc.array(headerOption, { maxLength: 3 });
const fields = fc
  .dictionary(
    fc.oneof(text, fc.constantFrom('aperture.check_response', '__proto__', '1')),
    fc.record({ stringValue: text }),
    {
      maxKeys: 5,
    },
  )
  .map((entries) => ({ ...entries }));
const response: fc.Arbitrary<CheckResponseMessage> = fc.record(
  {
    status: fc.record({ code, message: text }),
    ok_response: fc.record({ headers }),
    denied_response: fc.record({ status: fc.record({ code }), headers, body: text }),
    dynamic_metadata: fc.record({ fields }),
  },
  { requiredKeys: ['status', 'dynamic_metadata'] },
);

test('any answer the agent can build encodes to the bytes of proto-loader’s serialiser', () => {
  fc.assert(
    fc.property(response, (message) => {
      assert.deepEqual(encodeCheckResponse(message), reference(message));
    }),
    { seed: 20_251_125, numRuns: 5000 },
  );
});

test('the answers of an admission and a rate-limit rejection with a decision record', () => {
  const record = Buffer.from(JSON.stringify({ v: 1, labels: { path: 'x'.repeat(3000) } })).toString('base64');
  const metadata = {
    fields: {
      'aperture.check_response': { stringValue: record },
      'sluice.decision': { stringValue: 'rejected' },
      'sluice.control_point': { stringValue: 'ingress' },
      'sluice.rejected_by': { stringValue: 'policy/limiter' },
    },
  };
  const answers: CheckResponseMessage[] = [
    {
      status: { code: 0, message: '' },
      ok_response: { headers: [] },
      dynamic_metadata: metadata,
    },
    {
      status: { code: 14, message: 'rejected by policy/limiter' },
      denied_response: {
        status: { code: 429 },
        headers: [
          { header: { key: 'retry-after', value: '2' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
        ],
        body: '',
      },
      dynamic_metadata: metadata,
    },
  ];
  for (const answer of answers) assert.deepEqual(encodeCheckResponse(answer), reference(answer));
});
