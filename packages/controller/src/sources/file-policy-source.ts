import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { decodePolicyFile } from '@sluice/spec';
import type { PolicyRegistry } from '../policies/policy-registry.js';

export interface FilePolicySourceOptions {
  /** Directory of FlowPolicy files (`--policies`): *.yaml, *.yml and *.json, not recursive. */
  readonly dir: string;
  readonly registry: PolicyRegistry;
  /** Coalesces the burst of events one save produces. @default 50 */
  readonly debounceMs?: number;
  readonly log?: (message: string) => void;
}

const POLICY_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Watches a directory of policy files. Any change event rescans the whole directory, because
 * editors save by rename and Kubernetes ConfigMap volumes swap a symlink: per-file events are not
 * reliable, a rescan is. Unchanged files (same content digest) are not re-applied. An invalid file
 * is recorded as Invalid with path-precise issues while its last good version keeps running; a
 * deleted file's policy is removed.
 */
export class FilePolicySource {
  readonly #dir: string;
  readonly #registry: PolicyRegistry;
  readonly #debounceMs: number;
  readonly #log: (message: string) => void;
  readonly #digests = new Map<string, string>();
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: FilePolicySourceOptions) {
    this.#dir = resolve(options.dir);
    this.#registry = options.registry;
    this.#debounceMs = options.debounceMs ?? 50;
    this.#log = options.log ?? ((message) => console.log(message));
  }

  /** Loads every file now, then watches. Throws if the directory cannot be read. */
  start(): void {
    this.rescan();
    this.#watcher = watch(this.#dir, () => this.#schedule());
    this.#watcher.on('error', (error) =>
      this.#log(`policy directory ${this.#dir}: watch failed (${error.message}); rescanning`),
    );
  }

  stop(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  /** Reads the directory and applies what changed since the last scan. */
  rescan(): void {
    const present = new Set<string>();
    for (const entry of readdirSync(this.#dir, { withFileTypes: true })) {
      if (!POLICY_EXTENSIONS.has(extname(entry.name)) || entry.name.startsWith('.')) continue;
      const path = join(this.#dir, entry.name);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        // Deleted between readdir and read, or a directory named like a file: the next event rescans.
        continue;
      }
      present.add(path);
      const digest = createHash('sha256').update(text).digest('hex');
      if (this.#digests.get(path) === digest) continue;
      this.#digests.set(path, digest);
      this.#applyFile(path, text);
    }
    for (const path of [...this.#digests.keys()]) {
      if (present.has(path)) continue;
      this.#digests.delete(path);
      this.#registry.remove(path);
      this.#log(`${path}: removed; its policy no longer runs`);
    }
  }

  #applyFile(path: string, text: string): void {
    const decoded = decodePolicyFile(text);
    const entry = decoded.ok
      ? this.#registry.apply(path, decoded.document)
      : this.#registry.reject(path, decoded.issues);
    if (entry.status === 'Valid')
      this.#log(`${path}: policy ${entry.name ?? '?'} valid (hash ${entry.hash ?? '?'})`);
    else this.#log(`${path}: invalid\n${entry.message}`);
  }

  #schedule(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      try {
        this.rescan();
      } catch (error) {
        this.#log(`policy directory ${this.#dir}: rescan failed (${(error as Error).message})`);
      }
    }, this.#debounceMs);
  }
}
