import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecisionRecordEncoder, type DecisionRecordParts } from '../../src/check/decision-record-encoder.js';
import { RecordKeyRing } from '../../src/record-key/record-key-ring.js';

/** The parts of a record for the `policy` flux meter of the compiled-components fixtures. */
export function recordParts(overrides: Partial<DecisionRecordParts> = {}): DecisionRecordParts {
  return {
    controlPoint: 'ingress',
    services: ['svc'],
    decision: 'accepted',
    decisions: [],
    fluxMeters: [{ policyName: 'policy', name: 'policy' }],
    labels: {},
    startedAtMs: Date.now(),
    processingMs: 0.5,
    ...overrides,
  };
}

/**
 * Signs v2 decision records with a known key, through the agent's own encoder: what an agent
 * holding that key writes on a Check from `peerIp`. Tests use it for records with chosen start
 * times and parts, and (with another key) for forgeries.
 */
export class RecordSigner {
  readonly key: Buffer;
  private readonly encoder: DecisionRecordEncoder;

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
    this.encoder = new DecisionRecordEncoder({ keys: new RecordKeyRing(key) });
  }

  sign(overrides: Partial<DecisionRecordParts> = {}, peerIp = '127.0.0.1'): string {
    return this.encoder.encode(recordParts(overrides), peerIp);
  }

  /** Writes the key to a new temporary file (an agent's recordKeyFile) and returns its path. */
  writeKeyFile(): string {
    const path = join(mkdtempSync(join(tmpdir(), 'sluice-record-key-')), 'record-key');
    writeFileSync(path, this.key);
    return path;
  }
}
