import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AccessLogBatcher } from '../src/access-log-batcher.js';
import { ManualClock } from '@sluice/clock/manual';

function setup(options: { flushIntervalMs?: number; bufferSizeBytes?: number } = {}) {
  const clock = new ManualClock();
  const batches: { at: number; records: number[] }[] = [];
  const batcher = new AccessLogBatcher<number>({
    flushIntervalMs: options.flushIntervalMs ?? 1000,
    bufferSizeBytes: options.bufferSizeBytes ?? 16384,
    clock,
    flush: (records) => batches.push({ at: clock.now(), records }),
  });
  return { clock, batches, batcher };
}

describe('AccessLogBatcher', () => {
  it('flushes a batch one interval after its first record', () => {
    const { clock, batches, batcher } = setup();
    batcher.add(1, 100);
    clock.advance(400);
    batcher.add(2, 100);
    clock.advance(599);
    assert.equal(batches.length, 0);
    clock.advance(1);
    assert.deepEqual(batches, [{ at: 1000, records: [1, 2] }]);
  });

  it('flushes as soon as the buffer reaches its size, without waiting for the timer', () => {
    const { clock, batches, batcher } = setup({ bufferSizeBytes: 16384 });
    for (let index = 0; index < 40; index += 1) batcher.add(index, 500);
    // 33 × 500 = 16,500 ≥ 16,384: the 33rd record triggers the flush.
    assert.equal(batches.length, 1);
    assert.equal(batches[0]?.records.length, 33);
    assert.equal(batcher.pending, 7);
    clock.advance(1000);
    assert.deepEqual(
      batches.map((batch) => batch.records.length),
      [33, 7],
    );
  });

  it('arms no timer while idle and sends nothing empty', () => {
    const { clock, batches, batcher } = setup();
    clock.advance(10_000);
    batcher.flush();
    assert.equal(batches.length, 0);
    assert.equal(clock.pendingTimers, 0);
  });

  it('close flushes the rest and ignores later records', () => {
    const { clock, batches, batcher } = setup();
    batcher.add(1, 10);
    batcher.close();
    batcher.add(2, 10);
    clock.advance(5000);
    assert.deepEqual(
      batches.map((batch) => batch.records),
      [[1]],
    );
  });
});
