import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssue, toSpecIssues } from '@sluice/spec';
import { BaselineStateSchema, type BaselineState } from '../control/latency-baseline.js';
import type { BaselineStore } from './baseline-store.js';

export interface FileBaselineStoreOptions {
  /** The state directory (`--state-dir`); created if missing. */
  readonly dir: string;
  /** Where problems are reported. @default console.warn */
  readonly warn?: (message: string) => void;
}

/**
 * One JSON file per control loop in the state directory, named after the URL-encoded loop key.
 * Writes go to a temporary file renamed over the old one, so a crash mid-write leaves the previous
 * baseline intact rather than a truncated file.
 */
export class FileBaselineStore implements BaselineStore {
  readonly #dir: string;
  readonly #warn: (message: string) => void;

  constructor(options: FileBaselineStoreOptions) {
    this.#dir = options.dir;
    this.#warn = options.warn ?? ((message) => console.warn(message));
    mkdirSync(this.#dir, { recursive: true });
  }

  pathOf(key: string): string {
    return join(this.#dir, `baseline-${encodeURIComponent(key)}.json`);
  }

  load(key: string): BaselineState | undefined {
    const path = this.pathOf(key);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#warn(`${path}: cannot read the saved baseline (${(error as Error).message}); warming up again`);
      return undefined;
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      this.#warn(`${path}: the saved baseline is not JSON (${(error as Error).message}); warming up again`);
      return undefined;
    }
    const parsed = BaselineStateSchema.safeParse(document);
    if (!parsed.success) {
      this.#warn(
        `${path}: the saved baseline is invalid (${toSpecIssues(document, parsed.error).map(formatIssue).join('; ')}); warming up again`,
      );
      return undefined;
    }
    return parsed.data;
  }

  save(key: string, state: BaselineState): void {
    const path = this.pathOf(key);
    try {
      writeFileSync(`${path}.tmp`, `${JSON.stringify(state)}\n`);
      renameSync(`${path}.tmp`, path);
    } catch (error) {
      this.#warn(`${path}: cannot save the baseline (${(error as Error).message})`);
    }
  }
}
