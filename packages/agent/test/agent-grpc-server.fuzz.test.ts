/**
 * Raw bytes to the real agent gRPC server on loopback: CheckRequests that protobuf encodes, the same
 * truncated, corrupted, filled with invalid UTF-8 or nested past protobuf's depth limit, plain
 * garbage, and huge messages, each with random `control-point` metadata. Every call must be
 * answered with a CheckResponse Envoy can act on (OK or denied) or with INVALID_ARGUMENT, be
 * counted, and leave the agent answering ordinary Checks as before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { authorizationService, loadProtobufRoot } from '@sluice/spec/protos';
import { decodeDecisionRecord, DECISION_METADATA_KEY } from '../src/check/decision-record.js';
import { grpcReceiveLimitBytes } from '../src/grpc/grpc-limits.js';
import { checkRequest, startAgent } from './support/agent-harness.js';
import {
  checkRequestArbitrary,
  controlPointMetadata,
  hugeCheckRequestArbitrary,
} from './support/check-arbitraries.js';
import { FUZZ_CONTROL_POINT, fuzzPolicy } from './support/fuzz-policy.js';
import { nestedMessages, RawGrpcClient, serviceMethod, withInvalidUtf8 } from './support/raw-grpc.js';

/** What the tests read from a counter (prom-client's and the agent's SeriesCounter both have it). */
type Counter = {
  get(): Promise<{ values: Array<{ value: number; labels: Record<string, string | number | undefined> }> }>;
};

const SEED = 20_251_011;
const RUNS = 400;
const CHECK = '/envoy.service.auth.v3.Authorization/Check';
/** The harness's receive limit (Envoy's defaults: 60 KiB of headers, an 8 KiB body). */
const RECEIVE_LIMIT = grpcReceiveLimitBytes({ maxRequestHeadersKb: 60, maxRequestBytes: 8192 });
const MARKER = 'QQQQQQQQ';

const Check = serviceMethod(authorizationService(), 'Check');
const CheckResponse = loadProtobufRoot().lookupType('envoy.service.auth.v3.CheckResponse');

/** CheckRequest → attributes → metadata_context → filter_metadata{k} → Struct.fields{k} → Value → ListValue → … */
function deeplyNested(levels: number): Buffer {
  const key = [0x0a, 0x01, 0x6b];
  return nestedMessages({
    levels,
    alternate: [1, 6],
    wrap: [
      { field: 1 },
      { field: 11 },
      { field: 1, prefix: key },
      { field: 2 },
      { field: 1, prefix: key },
      { field: 2 },
    ],
  });
}

/** One wire message: how it was made, its bytes, and the control point sent as metadata. */
const wireCase = fc.oneof(
  {
    weight: 3,
    arbitrary: checkRequestArbitrary.map((message) => ({
      kind: 'valid',
      bytes: Check.requestSerialize(message),
    })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(checkRequestArbitrary, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }))
      .map(([message, cut]) => {
        const bytes = Check.requestSerialize(message);
        return { kind: 'truncated', bytes: bytes.subarray(0, Math.floor(bytes.length * cut)) };
      }),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        checkRequestArbitrary,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      )
      .map(([message, flips]) => {
        const bytes = Buffer.from(Check.requestSerialize(message));
        for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value;
        return { kind: 'corrupted', bytes };
      }),
  },
  {
    weight: 2,
    arbitrary: fc
      .uint8Array({ maxLength: 512 })
      .map((bytes) => ({ kind: 'garbage', bytes: Buffer.from(bytes) })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('header-name', 'header-value', 'path', 'host', 'context-extension', 'body')
      .map((where) => {
        const http: Record<string, unknown> = {
          method: 'POST',
          path: where === 'path' ? `/tenants/${MARKER}/orders` : '/',
          host: where === 'host' ? MARKER : 'svc',
          headers: {
            'content-type': 'application/json',
            'x-user': where === 'header-value' ? MARKER : 'u',
            ...(where === 'header-name' ? { [`x-${MARKER.toLowerCase()}`]: 'v' } : {}),
          },
          body: where === 'body' ? `{"account":{"tier":"${MARKER}"}}` : '',
        };
        const message = {
          attributes: {
            request: { http },
            ...(where === 'context-extension' ? { context_extensions: { 'control-point': MARKER } } : {}),
          },
        };
        const bytes = Check.requestSerialize(message);
        return {
          kind: 'invalid-utf8',
          bytes: withInvalidUtf8(withInvalidUtf8(bytes, MARKER), MARKER.toLowerCase()),
        };
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 64, max: 50_000 })
      .map((levels) => ({ kind: 'deep', bytes: deeplyNested(levels * 2) })),
  },
  {
    weight: 1,
    arbitrary: hugeCheckRequestArbitrary.map(({ request }) => ({
      kind: 'huge',
      bytes: Check.requestSerialize(request),
    })),
  },
);

describe('agent gRPC server under raw, malformed CheckRequest bytes', { timeout: 120_000 }, () => {
  let h: Awaited<ReturnType<typeof startAgent>>;
  let raw: RawGrpcClient;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    h = await startAgent({}, { window: { slots: 2, slotMs: 50 } });
    assert.deepEqual(h.agent.registry.replaceAll([fuzzPolicy({ maxQueueTimeoutMs: 50 })]).failed, []);
    h.agent.registry.applyDecision('fuzz', 'scheduler', {
      policyHash: 'fuzz-1',
      loadMultiplier: 0.5,
      passThrough: false,
      ttlMs: 600_000,
    });
    raw = new RawGrpcClient(`127.0.0.1:${h.ports.grpcPort}`);
  });

  after(async () => {
    raw.close();
    await h.close();
    process.off('unhandledRejection', onUnhandled);
  });

  const tally = { ok: 0, denied: 0, invalidArgument: 0, undecodable: 0, tooLarge: 0 };
  const kinds: Record<string, number> = {};

  it(`${RUNS} calls: each answered OK, denied or INVALID_ARGUMENT, and counted`, async () => {
    await fc.assert(
      fc.asyncProperty(wireCase, controlPointMetadata, async ({ kind, bytes }, controlPoint) => {
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        const reply = await raw.call(CHECK, bytes, {
          deadlineMs: 10_000,
          ...(controlPoint !== undefined ? { controlPoint } : {}),
        });
        if ('error' in reply) {
          // gRPC refuses a message past the receive limit before the agent sees it (Envoy fails open).
          if (bytes.length > RECEIVE_LIMIT && reply.error.code === status.RESOURCE_EXHAUSTED) {
            tally.tooLarge++;
            return;
          }
          assert.equal(reply.error.code, status.INVALID_ARGUMENT, `${kind}: ${reply.error.message}`);
          tally.invalidArgument++;
          if (reply.error.details.startsWith('undecodable CheckRequest')) tally.undecodable++;
          return;
        }
        const response = CheckResponse.toObject(CheckResponse.decode(reply.ok), { oneofs: true }) as {
          status?: { code?: number };
          http_response?: string;
          dynamic_metadata?: { fields?: Record<string, { stringValue?: string }> };
        };
        const code = response.status?.code ?? 0;
        assert.ok(code === 0 || code === 14, `${kind}: status ${code}`);
        assert.equal(response.http_response, code === 0 ? 'ok_response' : 'denied_response');
        const record = decodeDecisionRecord(
          response.dynamic_metadata?.fields?.[DECISION_METADATA_KEY]?.stringValue ?? '',
        );
        assert.equal(record.decision, code === 0 ? 'accepted' : 'rejected');
        if (code === 0) tally.ok++;
        else tally.denied++;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(`agent gRPC fuzz: ${RUNS} calls ${JSON.stringify({ ...tally, kinds })}`);
    assert.equal(tally.ok + tally.denied + tally.invalidArgument + tally.tooLarge, RUNS);
    for (const kind of ['valid', 'truncated', 'corrupted', 'garbage', 'invalid-utf8', 'deep', 'huge'])
      assert.ok((kinds[kind] ?? 0) > 0, `no ${kind} case was drawn`);
    assert.ok(tally.ok > 0 && tally.denied > 0 && tally.undecodable > 0, JSON.stringify(tally));
  });

  it('every call is in the metrics: checks_total + check_errors_total = calls made', async () => {
    // Read from the registry: control_point label values are random text, awkward to parse back.
    const sum = async (counter: Counter, match: Record<string, string> = {}) =>
      (await counter.get()).values
        .filter((sample) => Object.entries(match).every(([key, value]) => sample.labels[key] === value))
        .reduce((total, sample) => total + sample.value, 0);
    const { checks, checkErrors, metricSeriesOverflow } = h.agent.metrics;
    // Checks past the receive limit never reach the agent; checks_total past its series cap go to the overflow.
    const overflowed = await sum(metricSeriesOverflow, { metric: 'sluice_agent_checks_total' });
    assert.equal((await sum(checks)) + overflowed + (await sum(checkErrors)), RUNS - tally.tooLarge);
    assert.equal(await sum(checkErrors, { reason: 'undecodable' }), tally.undecodable);
    assert.equal(await sum(checkErrors, { reason: 'internal' }), 0);
    assert.equal((await sum(checks)) + overflowed, tally.ok + tally.denied);
    assert.match(
      (await h.http('/metrics')).body,
      /sluice_agent_check_errors_total\{reason="undecodable"\} \d+/,
    );
  });

  it('afterwards an ordinary Check is classified and decided as before', async () => {
    // Pass-through, so the answer does not depend on how full the fuzz left the queue.
    h.agent.registry.applyDecision('fuzz', 'scheduler', {
      policyHash: 'fuzz-1',
      loadMultiplier: 1,
      passThrough: true,
      ttlMs: 600_000,
    });
    const response = await h.check(
      checkRequest({
        method: 'POST',
        path: '/tenants/acme/orders',
        headers: { 'x-user': 'after-fuzz', 'content-type': 'application/json' },
        body: '{"account":{"tier":"gold"}}',
      }),
      { controlPoint: FUZZ_CONTROL_POINT },
    );
    assert.equal(response.status.code, 0);
    const record = decodeDecisionRecord(
      response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue ?? '',
    );
    assert.deepEqual(
      record.components.map((component) => [component.componentId, component.decision]),
      [
        ['limiter', 'accepted'],
        ['scheduler', 'accepted'],
      ],
    );
    assert.equal(record.components[1]?.workload, 'gold');
    assert.equal(record.labels.user, 'after-fuzz');
    assert.deepEqual(
      response.ok_response?.headers.map((header) => header.header.key),
      ['baggage'],
    );
    assert.equal(response.ok_response?.headers[0]?.header.value, 'user=after-fuzz,tier=gold,tenant=acme');
  });

  it('no unhandled rejection escaped', () => {
    assert.deepEqual(unhandled, []);
  });
});
