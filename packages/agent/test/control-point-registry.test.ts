import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CONTROL_POINT_EPOCH_MS,
  ControlPointRegistry,
} from '../src/control-points/control-point-registry.js';
import { ManualClock } from '@sluice/clock/manual';

test('an entry is listed for 30–60 s after its last flow, then dropped', () => {
  const clock = new ManualClock();
  const registry = new ControlPointRegistry(clock);
  registry.record({ controlPoint: 'ingress', service: 's1', type: 'http' });
  clock.advance(CONTROL_POINT_EPOCH_MS - 1);
  registry.record({ controlPoint: 'egress', service: 's1', type: 'http' });
  clock.advance(1); // epoch 1: ingress seen in epoch 0, egress in epoch 0
  assert.equal(registry.list().length, 2);
  clock.advance(CONTROL_POINT_EPOCH_MS); // epoch 2
  assert.equal(registry.list().length, 0, 'gone 30–60 s after the last flow');
});

test('lists sorted by service then control point, and drains per report', () => {
  const registry = new ControlPointRegistry(new ManualClock());
  registry.record({ controlPoint: 'ingress', service: 'b', type: 'http' });
  registry.record({ controlPoint: 'egress', service: 'a', type: 'http' });
  registry.record({ controlPoint: 'ingress', service: 'a', type: 'http' });
  assert.deepEqual(
    registry.list().map((e) => `${e.service}/${e.controlPoint}`),
    ['a/egress', 'a/ingress', 'b/ingress'],
  );
  assert.equal(registry.drainRecent().length, 3);
  assert.equal(registry.drainRecent().length, 0);
});

test('20,000 distinct pairs: the registry holds 1,000, counts the rest, and keeps refreshing those it holds', () => {
  const clock = new ManualClock();
  let dropped = 0;
  const registry = new ControlPointRegistry(clock, { onDropped: () => dropped++ });
  registry.record({ controlPoint: 'ingress', service: 'shop', type: 'http' });
  for (let i = 0; i < 20_000; i++)
    registry.record({ controlPoint: `cp-${i}`, service: 'shop', type: 'http' });
  assert.equal(registry.size, 1000);
  assert.equal(dropped, 19_001);
  assert.equal(registry.drainRecent().length, 1000, 'a report carries at most the registry');
  // The pair in use stays through the flood; the flood's pairs expire, and new pairs fit again.
  clock.advance(CONTROL_POINT_EPOCH_MS);
  registry.record({ controlPoint: 'ingress', service: 'shop', type: 'http' });
  clock.advance(CONTROL_POINT_EPOCH_MS);
  registry.record({ controlPoint: 'ingress', service: 'shop', type: 'http' });
  assert.equal(registry.size, 1, 'expired entries are swept on record, without anyone listing');
  registry.record({ controlPoint: 'egress', service: 'shop', type: 'http' });
  assert.deepEqual(
    registry.list().map((entry) => entry.controlPoint),
    ['egress', 'ingress'],
  );
});
