import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { SpecValidationError, toSpecIssues } from '../spec-issues.js';

export interface ConfigSources {
  /** Path of a YAML or JSON file; its keys are the schema's keys. */
  readonly file?: string;
  /** Environment (normally process.env, passed in by main.ts). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Prefix of environment keys: `SLUICE_AGENT_` maps `SLUICE_AGENT_GRPC_PORT` to `grpcPort`. */
  readonly envPrefix?: string;
  /** Command-line values, already keyed by schema key. They win over everything else. */
  readonly flags?: Readonly<Record<string, unknown>>;
}

function envKey(prefix: string, key: string): string {
  return prefix + key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
}

/** Coerces an environment string towards the type the schema wants for `key`, leaving zod to judge it. */
function coerce(raw: string, example: unknown): unknown {
  if (typeof example === 'number' || /^-?[0-9]+(\.[0-9]+)?$/.test(raw)) {
    const value = Number(raw);
    return Number.isNaN(value) ? raw : value;
  }
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw.startsWith('[')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

/**
 * Builds a config from defaults < file < environment < flags and validates it once. Errors name the
 * source of each bad key (file path, environment variable or flag).
 */
export function loadConfig<S extends z.ZodObject>(schema: S, sources: ConfigSources): z.output<S> {
  let fromFile: Record<string, unknown> = {};
  if (sources.file !== undefined) {
    const text = readFileSync(sources.file, 'utf8');
    const parsed: unknown = parseYaml(text);
    if (parsed !== null && parsed !== undefined && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new SpecValidationError(sources.file, [
        { path: '', value: JSON.stringify(parsed), allowed: 'expected a mapping of config keys' },
      ]);
    }
    fromFile = (parsed ?? {}) as Record<string, unknown>;
  }
  const fromEnv: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  if (sources.env !== undefined && sources.envPrefix !== undefined) {
    for (const key of Object.keys(schema.shape)) {
      const name = envKey(sources.envPrefix, key);
      const raw = sources.env[name];
      if (raw !== undefined && raw !== '') {
        fromEnv[key] = coerce(raw, undefined);
        origin.set(key, `environment ${name}`);
      }
    }
  }
  const flags = Object.fromEntries(
    Object.entries(sources.flags ?? {}).filter(([, value]) => value !== undefined),
  );
  for (const key of Object.keys(flags))
    origin.set(key, `flag --${key.replace(/[A-Z]/g, (l) => `-${l.toLowerCase()}`)}`);
  const merged = { ...fromFile, ...fromEnv, ...flags };
  const result = schema.safeParse(merged);
  if (result.success) return result.data;
  const issues = toSpecIssues(merged, result.error, [], schema).map((issue) => {
    const top = issue.path.split(/[.[]/)[0] ?? '';
    const where =
      origin.get(top) ?? (sources.file !== undefined && top in fromFile ? sources.file : undefined);
    return where ? { ...issue, path: `${issue.path} (from ${where})` } : issue;
  });
  throw new SpecValidationError('configuration', issues);
}
