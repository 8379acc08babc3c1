import { compileFlowPolicy, formatIssue, type CompiledPolicy, type SpecIssue } from '@sluice/spec';

export type PolicyStatus = 'Valid' | 'Invalid';

/** What the controller knows about one policy source (a file, a custom resource). */
export interface PolicyEntry {
  /** Identifies the source: a file path, or `namespace/name` of a custom resource. */
  readonly sourceKey: string;
  /** metadata.name when the document had a readable one. */
  readonly name: string | undefined;
  readonly status: PolicyStatus;
  /** Empty when Valid; otherwise every issue, one per line, each naming its path. */
  readonly message: string;
  readonly issues: readonly SpecIssue[];
  /** The last good compile of this source; it keeps running while a newer version is Invalid. */
  readonly running: CompiledPolicy | undefined;
  /** Hash of the newest valid compile, or undefined when the newest version is Invalid. */
  readonly hash: string | undefined;
}

export type RegistryChange = {
  readonly kind: 'applied' | 'invalid' | 'removed';
  readonly entry: PolicyEntry;
};

function readableName(document: unknown): string | undefined {
  if (document === null || typeof document !== 'object') return undefined;
  const metadata = (document as { metadata?: unknown }).metadata;
  if (metadata === null || typeof metadata !== 'object') return undefined;
  const name = (metadata as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * The set of policies from all sources. An invalid version never replaces a valid one: it is
 * recorded with its issues and the last good compile of the same source keeps running.
 */
export class PolicyRegistry {
  readonly #entries = new Map<string, PolicyEntry>();
  readonly #listeners: ((change: RegistryChange) => void)[] = [];

  /** Called after every change, synchronously. */
  onChange(listener: (change: RegistryChange) => void): void {
    this.#listeners.push(listener);
  }

  /** Validates and compiles `document` (decoded YAML/JSON) from `sourceKey`. */
  apply(sourceKey: string, document: unknown): PolicyEntry {
    const name = readableName(document);
    const result = compileFlowPolicy(document);
    if (!result.ok) return this.reject(sourceKey, result.issues, name);
    const owner = this.#ownerOf(result.value.policyName, sourceKey);
    if (owner !== undefined) {
      return this.reject(
        sourceKey,
        [
          {
            path: 'metadata.name',
            value: JSON.stringify(result.value.policyName),
            allowed: `must be unique; ${owner} already defines it`,
          },
        ],
        name,
      );
    }
    const entry: PolicyEntry = {
      sourceKey,
      name: result.value.policyName,
      status: 'Valid',
      message: '',
      issues: [],
      running: result.value,
      hash: result.value.policyHash,
    };
    this.#entries.set(sourceKey, entry);
    this.#emit({ kind: 'applied', entry });
    return entry;
  }

  /**
   * Records that the newest version of `sourceKey` is invalid (also for problems found before
   * validation, such as a YAML syntax error). The last good compile keeps running.
   */
  reject(sourceKey: string, issues: readonly SpecIssue[], name?: string): PolicyEntry {
    const previous = this.#entries.get(sourceKey);
    const running = previous?.running;
    const lines = issues.map((issue) => formatIssue(issue));
    if (running !== undefined)
      lines.push(`the last valid version (hash ${running.policyHash}) keeps running`);
    const entry: PolicyEntry = {
      sourceKey,
      name: name ?? previous?.name,
      status: 'Invalid',
      message: lines.join('\n'),
      issues: [...issues],
      running,
      hash: undefined,
    };
    this.#entries.set(sourceKey, entry);
    this.#emit({ kind: 'invalid', entry });
    return entry;
  }

  /** Forgets a source (file deleted, custom resource deleted); its policy stops running. */
  remove(sourceKey: string): void {
    const entry = this.#entries.get(sourceKey);
    if (entry === undefined) return;
    this.#entries.delete(sourceKey);
    this.#emit({ kind: 'removed', entry });
  }

  get(sourceKey: string): PolicyEntry | undefined {
    return this.#entries.get(sourceKey);
  }

  entries(): PolicyEntry[] {
    return [...this.#entries.values()].sort((a, b) =>
      a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0,
    );
  }

  /** Compiles that agents should run, one per source that ever had a valid version. */
  running(): CompiledPolicy[] {
    return this.entries().flatMap((entry) => (entry.running !== undefined ? [entry.running] : []));
  }

  #ownerOf(policyName: string, exceptKey: string): string | undefined {
    for (const entry of this.#entries.values()) {
      if (entry.sourceKey !== exceptKey && entry.running?.policyName === policyName) return entry.sourceKey;
    }
    return undefined;
  }

  #emit(change: RegistryChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
