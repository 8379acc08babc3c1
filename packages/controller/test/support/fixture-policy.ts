import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const FIXTURE_POLICIES_DIR = new URL('../fixtures/policies/', import.meta.url);

/** The example policy as a plain document (a fresh copy on every call, free to mutate). */
export function basicServiceProtection(): Record<string, any> {
  return parse(
    readFileSync(new URL('basic-service-protection.yaml', FIXTURE_POLICIES_DIR), 'utf8'),
  ) as Record<string, any>;
}
