import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FifoGate, type Release } from '../src/fifo-gate.js';

describe('FifoGate', () => {
  it('admits up to capacity and hands freed slots out in arrival order', async () => {
    const gate = new FifoGate(2);
    const order: number[] = [];
    const releases: Promise<Release>[] = [];
    for (let index = 0; index < 5; index += 1) {
      releases.push(
        gate.acquire().then((release) => {
          order.push(index);
          return release;
        }),
      );
    }
    const first = await releases[0];
    await releases[1];
    assert.deepEqual(order, [0, 1]);
    assert.equal(gate.inService, 2);
    assert.equal(gate.queueLength, 3);
    first?.();
    first?.(); // a second release of the same slot is ignored
    await releases[2];
    assert.deepEqual(order, [0, 1, 2]);
    assert.equal(gate.inService, 2);
    assert.equal(gate.queueLength, 2);
    for (const pending of releases.slice(1)) (await pending)();
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    assert.equal(gate.inService, 0);
    assert.equal(gate.maxInService, 2);
  });

  it('rejects a capacity that is not a positive integer', () => {
    assert.throws(() => new FifoGate(0), /capacity must be a positive integer, got 0/);
    assert.throws(() => new FifoGate(1.5), /got 1\.5/);
  });
});

describe('FifoGate (properties)', () => {
  it('never exceeds capacity and serves in arrival order, for any interleaving of arrivals and releases', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }),
        async (capacity, steps) => {
          const gate = new FifoGate(capacity);
          const granted: number[] = [];
          const held: Release[] = [];
          let arrivals = 0;
          for (const arrive of steps) {
            if (arrive) {
              const index = arrivals++;
              void gate.acquire().then((release) => {
                granted.push(index);
                held.push(release);
              });
            } else {
              held.shift()?.();
            }
            // Let granted promises settle before the next step.
            await Promise.resolve();
            await Promise.resolve();
            if (gate.inService > capacity) return false;
          }
          return granted.every((value, index) => value === index) && gate.maxInService <= capacity;
        },
      ),
    );
  });
});
