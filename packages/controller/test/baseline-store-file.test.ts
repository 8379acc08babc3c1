import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileBaselineStore } from '../src/state/baseline-store-file.js';

const state = {
  version: 1 as const,
  learnedTicks: 60,
  buckets: [{ ticks: 30, count: 3000, sumMs: 150_000 }],
};

describe('FileBaselineStore', () => {
  it('saves one file per loop key and loads it back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-state-'));
    try {
      const store = new FileBaselineStore({ dir });
      store.save('basic-service-protection/service1', state);
      assert.deepEqual(readdirSync(dir), ['baseline-basic-service-protection%2Fservice1.json']);
      assert.deepEqual(new FileBaselineStore({ dir }).load('basic-service-protection/service1'), state);
      assert.equal(store.load('other/loop'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('treats a damaged file as no baseline and says which file and why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-state-'));
    try {
      const warnings: string[] = [];
      const store = new FileBaselineStore({ dir, warn: (message) => warnings.push(message) });
      writeFileSync(store.pathOf('p/c'), JSON.stringify({ ...state, learnedTicks: -1 }));
      assert.equal(store.load('p/c'), undefined);
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0] ?? '',
        /baseline-p%2Fc\.json: the saved baseline is invalid \(learnedTicks: -1 is not allowed; must be >= 0\); warming up again$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
