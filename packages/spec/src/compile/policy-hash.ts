import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted at every depth, no whitespace, `undefined` members dropped, so
 * the same policy always serialises to the same bytes whatever order its YAML listed keys in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

/** Hex characters kept from the SHA-256 digest: 32 hex = 128 bits, as Aperture truncates its hash. */
export const POLICY_HASH_HEX_LENGTH = 32;

/**
 * The policy hash: SHA-256 of the canonical JSON of the validated spec (defaults applied, so writing
 * a default explicitly does not change the hash), truncated to its first 128 bits as lower-case hex.
 */
export function policyHash(spec: unknown): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, POLICY_HASH_HEX_LENGTH);
}
