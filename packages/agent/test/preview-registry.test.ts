import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpRequestAttributes } from '../src/flow-labels/request-labels.js';
import { PreviewRegistry, type PreviewAnswer, type PreviewSpec } from '../src/preview/preview-registry.js';
import { ManualClock } from '@sluice/clock/manual';

const http: HttpRequestAttributes = {
  method: 'GET',
  path: '/a/b?x=1&x=2',
  host: 'svc',
  scheme: 'http',
  protocol: 'HTTP/1.1',
  size: 0,
  headers: { authorization: 'Bearer secret', cookie: 'sid=1', 'user-type': 'guest', 'content-length': '10' },
  body: '',
};
const labels = {
  'http.method': 'GET',
  'http.request.header.authorization': 'Bearer secret',
  'http.request.header.user_type': 'guest',
};
const spec: PreviewSpec = {
  requestId: 'r1',
  controlPoint: 'ingress',
  service: '',
  matchLabels: {},
  samples: 2,
  timeoutMs: 1000,
  kind: 'flow-labels',
};
const flow = { controlPoint: 'ingress', services: ['svc'], labels, http };

test('collects N matching flow-label samples with credentials redacted, then answers once', () => {
  const registry = new PreviewRegistry(new ManualClock({ startMs: 1_000_000 }), ['authorization', 'cookie']);
  const answers: PreviewAnswer[] = [];
  registry.start({ ...spec, matchLabels: { 'http.method': 'GET' } }, (a) => answers.push(a));
  registry.offer({ ...flow, controlPoint: 'egress' });
  registry.offer({ ...flow, labels: { ...labels, 'http.method': 'POST' } });
  registry.offer(flow);
  assert.equal(answers.length, 0);
  registry.offer(flow);
  registry.offer(flow);
  assert.equal(answers.length, 1);
  assert.equal(answers[0]?.flowLabels.length, 2);
  assert.equal(answers[0]?.flowLabels[0]?.['http.request.header.authorization'], '<redacted>');
  assert.equal(answers[0]?.flowLabels[0]?.['http.request.header.user_type'], 'guest');
  assert.equal(registry.size, 0);
});

test('request documents redact headers and carry parsed path, query and truncation', () => {
  const registry = new PreviewRegistry(new ManualClock({ startMs: 1_000_000 }), ['authorization', 'cookie']);
  const answers: PreviewAnswer[] = [];
  registry.start({ ...spec, samples: 1, kind: 'http-request' }, (a) => answers.push(a));
  registry.offer(flow);
  const document = JSON.parse(answers[0]?.httpRequests[0] ?? '{}') as {
    request: { http: { headers: Record<string, string> } };
    parsed_path: string[];
    parsed_query: Record<string, string[]>;
    truncated_body: boolean;
  };
  assert.deepEqual(document.request.http.headers, {
    authorization: '<redacted>',
    cookie: '<redacted>',
    'user-type': 'guest',
    'content-length': '10',
  });
  assert.deepEqual(document.parsed_path, ['a', 'b']);
  // Query values can be credentials (access_token=…): keys stay, values are masked.
  assert.deepEqual(document.parsed_query, { x: ['<redacted>', '<redacted>'] });
  assert.equal((document.request.http as unknown as { path: string }).path, '/a/b?x=<redacted>&x=<redacted>');
  assert.equal(document.truncated_body, true);
});

test('a timeout answers with what was collected; a cancel too', () => {
  const clock = new ManualClock({ startMs: 1_000_000 });
  const registry = new PreviewRegistry(clock, []);
  const answers: PreviewAnswer[] = [];
  registry.start(spec, (a) => answers.push(a));
  registry.offer(flow);
  clock.advance(1000);
  assert.equal(answers[0]?.flowLabels.length, 1);
  registry.start({ ...spec, requestId: 'r2' }, (a) => answers.push(a));
  registry.cancel('r2');
  assert.equal(answers[1]?.flowLabels.length, 0);
  assert.equal(clock.pendingTimers, 0);
});

test('an unusable request is answered with an error at once', () => {
  const registry = new PreviewRegistry(new ManualClock({ startMs: 1_000_000 }), []);
  const answers: PreviewAnswer[] = [];
  registry.start({ ...spec, samples: 0 }, (a) => answers.push(a));
  assert.equal(answers[0]?.error, 'samples 0 must be between 1 and 1000');
});

test('query values, credential headers of any case and labels classifiers took from them are redacted', () => {
  const registry = new PreviewRegistry(new ManualClock({ startMs: 1_000_000 }), [
    'Authorization',
    'X-Auth-Token',
    'x-amz-security-token',
  ]);
  const answers: PreviewAnswer[] = [];
  registry.start({ ...spec, samples: 1 }, (a) => answers.push(a));
  registry.offer({
    ...flow,
    labels: {
      'http.target': '/login?access_token=s3cret&next=/home&flag',
      'http.request.header.authorization': 'Bearer secret',
      'http.request.header.x_auth_token': 'tok',
      'http.request.header.x_amz_security_token': 'aws',
      bearer: 'Bearer-secret',
      user: 'alice',
    },
    redactedLabels: new Set(['bearer']),
  });
  assert.deepEqual(answers[0]?.flowLabels[0], {
    'http.target': '/login?access_token=<redacted>&next=<redacted>&flag',
    'http.request.header.authorization': '<redacted>',
    'http.request.header.x_auth_token': '<redacted>',
    'http.request.header.x_amz_security_token': '<redacted>',
    bearer: '<redacted>',
    user: 'alice',
  });
});

test('past previewMaxConcurrent a preview is refused with an error, counted', () => {
  const refused: string[] = [];
  const registry = new PreviewRegistry(new ManualClock({ startMs: 1_000_000 }), [], {
    maxConcurrent: 8,
    onRefused: (r) => refused.push(r),
  });
  const answers: PreviewAnswer[] = [];
  for (let i = 0; i < 1000; i++) registry.start({ ...spec, requestId: `r${i}` }, (a) => answers.push(a));
  assert.equal(registry.size, 8);
  assert.equal(answers.length, 992);
  assert.equal(refused.length, 992);
  assert.deepEqual(new Set(refused), new Set(['concurrency']));
  assert.equal(
    answers[0]?.error,
    'too many previews on this agent: 8 running, at most 8 (previewMaxConcurrent); retry when one ends',
  );
});

test('a preview stops at previewMaxSampleBytes with what it has and an error saying so', () => {
  const refused: string[] = [];
  const registry = new PreviewRegistry(new ManualClock({ startMs: 1_000_000 }), [], {
    maxSampleBytes: 10_000,
    onRefused: (r) => refused.push(r),
  });
  const answers: PreviewAnswer[] = [];
  registry.start({ ...spec, samples: 1000 }, (a) => answers.push(a));
  const big = { ...flow, labels: { 'http.target': '/'.padEnd(1000, 'p') } };
  for (let i = 0; i < 1000; i++) registry.offer(big);
  assert.equal(answers.length, 1);
  const sample = JSON.stringify(answers[0]?.flowLabels[0]).length;
  assert.equal(answers[0]?.flowLabels.length, Math.floor(10_000 / sample));
  assert.match(
    answers[0]?.error ?? '',
    /^preview stopped at the sample size limit: 9 of 1000 samples \(\d+ bytes\) collected; the next one would pass previewMaxSampleBytes \(10000\)$/,
  );
  assert.deepEqual(refused, ['sample-bytes']);
  assert.equal(registry.size, 0);
});
