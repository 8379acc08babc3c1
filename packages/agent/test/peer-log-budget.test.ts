import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOG_PEER_IDLE_MS, MAX_LOG_PEERS, PeerLogBudget } from '../src/access-log/peer-log-budget.js';
import { ManualClock } from '@sluice/clock/manual';

/**
 * Two senders for `seconds`, one Export per sender every 50 ms: `quiet` sends `quietPerSecond`
 * records a second, `flood` `floodPerSecond`. Returns the records each had read.
 */
function run(
  budget: PeerLogBudget,
  clock: ManualClock,
  options: { seconds: number; quietPerSecond: number; floodPerSecond: number },
) {
  const read = { quiet: 0, flood: 0, quietSent: 0, floodSent: 0, quietFirstExport: 0 };
  for (let tick = 0; tick < options.seconds * 20; tick++) {
    // The flood arrives first in every tick: the worst order for the quiet sender.
    read.flood += budget.admit(options.floodPerSecond / 20, '10.0.0.66');
    const quiet = budget.admit(options.quietPerSecond / 20, '10.0.0.1');
    if (tick === 0) read.quietFirstExport = quiet;
    read.quiet += quiet;
    read.floodSent += options.floodPerSecond / 20;
    read.quietSent += options.quietPerSecond / 20;
    clock.advance(50);
  }
  return read;
}

test('alone, a sender has the whole budget: one second of records as burst, then the rate', () => {
  const clock = new ManualClock();
  const budget = new PeerLogBudget({ clock, recordsPerSecond: 100 });
  assert.equal(budget.admit(60, 'a'), 60);
  assert.equal(budget.admit(60, 'a'), 40);
  assert.equal(budget.admit(1, 'a'), 0);
  clock.advance(250);
  assert.equal(budget.admit(60, 'a'), 25);
  clock.advance(10_000);
  assert.equal(budget.admit(1_000, 'a'), 100, 'the burst never exceeds one second of records');
});

test('admits whole records only and never goes negative', () => {
  const clock = new ManualClock();
  const budget = new PeerLogBudget({ clock, recordsPerSecond: 10 });
  assert.equal(budget.admit(10, 'a'), 10);
  clock.advance(150);
  assert.equal(budget.admit(5, 'a'), 1);
  clock.advance(50);
  assert.equal(budget.admit(5, 'a'), 1, '0.5 left over plus 0.5 accrued');
  assert.equal(budget.admit(0, 'a'), 0);
  assert.equal(budget.admit(5, 'a'), 0);
});

test('a rate that is not a positive number is refused by name', () => {
  const clock = new ManualClock();
  for (const recordsPerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => new PeerLogBudget({ clock, recordsPerSecond }),
      new RegExp(`recordsPerSecond ${recordsPerSecond} must be a positive number`),
    );
  }
});

test('one sender flooding at 100× the budget: the other keeps every record, the flood gets the rest', () => {
  const clock = new ManualClock();
  const overShare: number[] = [];
  const budget = new PeerLogBudget({ clock, recordsPerSecond: 1000, onOverShare: (n) => overShare.push(n) });
  const read = run(budget, clock, { seconds: 10, quietPerSecond: 100, floodPerSecond: 100_000 });
  // Only the quiet sender's first Export can find the budget spent: the flood, alone until then,
  // had the whole budget as its share. From then on every record of the quiet sender is read.
  assert.equal(
    read.quiet - read.quietFirstExport,
    read.quietSent - 5,
    `quiet sender: ${read.quiet} of ${read.quietSent} read (${read.quietFirstExport} of its first 5)`,
  );
  // The budget is spent in full (1 s burst + 10 s × 1000/s), so the flood gets what the quiet one leaves.
  assert.ok(read.quiet + read.flood <= 11_000, `${read.quiet + read.flood} read in all`);
  assert.ok(read.flood >= 10_000 - read.quiet - 100, `flood read ${read.flood}`);
  assert.equal(budget.activePeers, 2);
  assert.ok(overShare.length > 0, 'over-share drops reported');
});

test('without the per-peer share the same flood starves the quiet sender (why it exists)', () => {
  // The same clock and traffic against one shared bucket (a peer table of one entry for everybody).
  const clock = new ManualClock();
  const budget = new PeerLogBudget({ clock, recordsPerSecond: 1000, maxPeers: 0 });
  const read = run(budget, clock, { seconds: 10, quietPerSecond: 100, floodPerSecond: 100_000 });
  assert.ok(read.quiet < read.quietSent * 0.1, `quiet sender: ${read.quiet} of ${read.quietSent} read`);
});

test('a sender past its fair share still has it: 800/s against a flood with a 1000/s budget gets 500/s', () => {
  const clock = new ManualClock();
  const budget = new PeerLogBudget({ clock, recordsPerSecond: 1000 });
  const read = run(budget, clock, { seconds: 10, quietPerSecond: 800, floodPerSecond: 100_000 });
  assert.equal(budget.sharePerSecond, 500);
  // Its share from the second Export on (the first found the budget spent, as above).
  assert.ok(read.quiet >= 500 * (10 - 0.05), `busy sender: ${read.quiet} read in 10 s`);
});

test('no contention, no share: one busy sender among quiet ones keeps all it sends', () => {
  const clock = new ManualClock();
  const budget = new PeerLogBudget({ clock, recordsPerSecond: 1000 });
  let busy = 0;
  for (let tick = 0; tick < 200; tick++) {
    for (let peer = 0; peer < 20; peer++) if (tick % 4 === 0) budget.admit(1, `10.0.1.${peer}`);
    busy += budget.admit(40, '10.0.0.1');
    clock.advance(50);
  }
  // 20 quiet senders at 5/s and one at 800/s, far above its fair share of 1000 / 21 = 48/s: the
  // budget is not contended, so nothing is held back.
  assert.equal(busy, 40 * 200);
});

test('recordsPerSecondPerPeer sets the share; idle senders stop counting after 10 s', () => {
  const clock = new ManualClock();
  const budget = new PeerLogBudget({ clock, recordsPerSecond: 1000, recordsPerSecondPerPeer: 50 });
  budget.admit(1, 'a');
  budget.admit(1, 'b');
  assert.equal(budget.sharePerSecond, 50);
  assert.equal(budget.activePeers, 2);
  clock.advance(LOG_PEER_IDLE_MS);
  budget.admit(1, 'a');
  assert.equal(budget.activePeers, 1);
});

test('the peer table is bounded: senders past the limit share one entry', () => {
  const clock = new ManualClock();
  const budget = new PeerLogBudget({ clock, recordsPerSecond: 100_000 });
  for (let i = 0; i < MAX_LOG_PEERS + 500; i++) budget.admit(1, `peer-${i}`);
  assert.equal(budget.activePeers, MAX_LOG_PEERS + 1);
  assert.throws(
    () => new PeerLogBudget({ clock, recordsPerSecond: 0 }),
    /recordsPerSecond 0 must be a positive number/,
  );
  assert.throws(
    () => new PeerLogBudget({ clock, recordsPerSecond: 10, recordsPerSecondPerPeer: Number.NaN }),
    /recordsPerSecondPerPeer NaN must be a positive number/,
  );
});
