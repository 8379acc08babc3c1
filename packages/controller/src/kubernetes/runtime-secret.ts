/**
 * Secrets the controller creates at run time rather than Helm or synth rendering them (a rendered
 * random value changes on every render, so GitOps would never settle, and a fixed one would sit in Git).
 */

/** A Secret as far as runtime secrets need it: read one key set, create one. */
export interface SecretStore {
  /** The Secret's data, decoded; undefined when it does not exist. */
  read(name: string): Promise<Readonly<Record<string, Buffer>> | undefined>;
  /** `exists` when another writer created it first (409 AlreadyExists). */
  create(name: string, data: Readonly<Record<string, Buffer>>): Promise<'created' | 'exists'>;
}

export interface RuntimeSecretOptions {
  readonly store: SecretStore;
  readonly name: string;
  readonly key: string;
  /** The value to create when the Secret is absent (32 random bytes, say). */
  readonly generate: () => Buffer;
}

/**
 * The value of `key` in Secret `name`, creating the Secret with a generated value when it does not
 * exist. Replicas starting together converge on one value: whoever creates first wins, the others get
 * 409 and read what it wrote. A Secret that exists without the key (or with it empty) is an error a
 * person must fix, never overwritten.
 */
export async function ensureRuntimeSecret(
  options: RuntimeSecretOptions,
): Promise<{ readonly value: Buffer; readonly created: boolean }> {
  const { store, name, key } = options;
  const valueOf = (data: Readonly<Record<string, Buffer>>): Buffer => {
    const value = data[key];
    if (value === undefined || value.length === 0)
      throw new Error(`Secret ${name} exists but has no value under key ${key}; add it or delete the Secret`);
    return value;
  };
  const existing = await store.read(name);
  if (existing !== undefined) return { value: valueOf(existing), created: false };
  const generated = options.generate();
  if ((await store.create(name, { [key]: generated })) === 'created')
    return { value: generated, created: true };
  const winner = await store.read(name);
  if (winner === undefined)
    throw new Error(`Secret ${name} was created by another writer but cannot be read`);
  return { value: valueOf(winner), created: false };
}
