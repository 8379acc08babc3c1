import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MinHeap } from '../src/load-scheduler/min-heap.js';

test('pops in ascending order whatever the push order, interleaved pushes included', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -1000, max: 1000 })),
      fc.array(fc.integer({ min: -1000, max: 1000 })),
      (first, second) => {
        const heap = new MinHeap<number>((a, b) => a < b);
        first.forEach((value) => heap.push(value));
        const popped: number[] = [];
        const half = Math.floor(first.length / 2);
        for (let i = 0; i < half; i++) popped.push(heap.pop() as number);
        second.forEach((value) => heap.push(value));
        while (heap.size > 0) popped.push(heap.pop() as number);
        assert.deepEqual(popped.slice(0, half), [...first].sort((a, b) => a - b).slice(0, half));
        assert.deepEqual(
          [...popped.slice(half)],
          [...[...first].sort((a, b) => a - b).slice(half), ...second].sort((a, b) => a - b),
        );
        assert.equal(heap.pop(), undefined);
      },
    ),
  );
});
