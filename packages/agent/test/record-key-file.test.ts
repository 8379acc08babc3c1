import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import type { AgentLogger, LogLevel } from '../src/logging/agent-logger.js';
import { AgentMetrics } from '../src/metrics/agent-metrics.js';
import { RecordKeyFile } from '../src/record-key/record-key-file.js';
import { RecordKey } from '../src/record-key/record-key-ring.js';
import { ManualClock } from '@sluice/clock/manual';

function setup(file: 'absent' | 'unset' | Buffer) {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-key-file-'));
  const path = join(dir, 'record-key');
  if (Buffer.isBuffer(file)) writeFileSync(path, file);
  const lines: Array<{ level: LogLevel; message: string; fields: Record<string, unknown> }> = [];
  const logger: AgentLogger = {
    log: (level, message, fields = {}) => lines.push({ level, message, fields }),
  };
  const metrics = new AgentMetrics({ processMetrics: false });
  const clock = new ManualClock();
  const keys = new RecordKeyFile({ path: file === 'unset' ? undefined : path, clock, logger, metrics });
  const text = async () => metrics.registry.metrics();
  return { dir, path, lines, metrics, clock, keys, text };
}

const KEY_1 = Buffer.alloc(32, 1);
const KEY_2 = Buffer.alloc(32, 2);

test('the key file is read at start and its bytes are the key', async () => {
  const { keys, lines, text, dir } = setup(KEY_1);
  try {
    assert.equal(keys.ring.current.id, new RecordKey(KEY_1).id);
    assert.equal(keys.isEphemeral, false);
    assert.match(await text(), /^sluice_agent_record_key_ephemeral 0$/m);
    assert.deepEqual(lines, []);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('unset, missing or unusable: an ephemeral key, warned in the log and exported as a gauge', async () => {
  for (const file of ['unset', 'absent', Buffer.alloc(8, 1)] as const) {
    const { keys, lines, text, dir } = setup(file);
    try {
      assert.equal(keys.isEphemeral, true, String(file));
      assert.match(await text(), /^sluice_agent_record_key_ephemeral 1$/m);
      assert.ok(
        lines.some((line) => line.level === 'warn' && /ephemeral key/.test(line.message)),
        `${String(file)}: ${JSON.stringify(lines)}`,
      );
      if (file !== 'unset')
        assert.match(
          await text(),
          new RegExp(
            `sluice_agent_record_key_reloads_total\\{outcome="${file === 'absent' ? 'missing' : 'invalid'}"\\} 1`,
          ),
        );
    } finally {
      rmSync(dir, { recursive: true });
    }
  }
});

test('a changed file rotates the key; the previous stays; a bad or missing file keeps the key in use', async () => {
  const { keys, path, text, lines, dir } = setup(KEY_1);
  try {
    assert.equal(await keys.reload(), 'unchanged');
    writeFileSync(path, KEY_2);
    assert.equal(await keys.reload(), 'rotated');
    assert.equal(keys.ring.current.id, new RecordKey(KEY_2).id);
    assert.equal(keys.ring.previous?.id, new RecordKey(KEY_1).id);
    writeFileSync(path, Buffer.alloc(5000, 3));
    assert.equal(await keys.reload(), 'invalid', 'past 4096 bytes');
    rmSync(path);
    assert.equal(await keys.reload(), 'missing');
    assert.equal(await keys.reload(), 'missing');
    assert.equal(keys.ring.current.id, new RecordKey(KEY_2).id, 'the key in use stays');
    const metrics = await text();
    assert.match(metrics, /sluice_agent_record_key_reloads_total\{outcome="rotated"\} 1/);
    assert.match(metrics, /sluice_agent_record_key_reloads_total\{outcome="invalid"\} 1/);
    assert.match(metrics, /sluice_agent_record_key_reloads_total\{outcome="missing"\} 2/);
    // The same failure twice in a row is warned once.
    const missing = lines.filter((line) => line.fields['outcome'] === 'missing');
    assert.deepEqual(
      missing.map((line) => line.level),
      ['warn', 'debug'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that appears later replaces the ephemeral key, which stays valid as the previous one', async () => {
  const { keys, path, text, dir } = setup('absent');
  try {
    const ephemeral = keys.ring.current.id;
    writeFileSync(path, KEY_1);
    assert.equal(await keys.reload(), 'rotated');
    assert.equal(keys.isEphemeral, false);
    assert.equal(keys.ring.previous?.id, ephemeral);
    assert.match(await text(), /^sluice_agent_record_key_ephemeral 0$/m);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('started, the file is re-read every 5 s on the agent clock until stopped', async () => {
  const { keys, path, clock, dir } = setup(KEY_1);
  try {
    const pending = () => clock.pendingTimers;
    keys.start();
    assert.equal(pending(), 1);
    writeFileSync(path, KEY_2);
    clock.advance(4_999);
    assert.equal(keys.ring.current.id, new RecordKey(KEY_1).id);
    clock.advance(1);
    // The read is asynchronous: wait for its outcome, turn by turn (no timer involved).
    for (let turn = 0; turn < 1000 && keys.ring.current.id !== new RecordKey(KEY_2).id; turn++)
      await nextTurn();
    assert.equal(keys.ring.current.id, new RecordKey(KEY_2).id);
    for (let turn = 0; turn < 1000 && pending() === 0; turn++) await nextTurn();
    assert.equal(pending(), 1, 'the next read is scheduled');
    keys.stop();
    assert.equal(pending(), 0);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
