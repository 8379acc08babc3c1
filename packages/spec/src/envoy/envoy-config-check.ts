import type { Enum, Field, Root, Type } from 'protobufjs';
import { loadEnvoyConfigRoot } from '../proto/proto-loader.js';
import type { SpecIssue } from '../spec-issues.js';

/**
 * Checks JSON values against Envoy's protos field by field, the way Istio's protojson decoding of an
 * EnvoyFilter patch would: unknown fields, wrong types, bad enum names, Durations that are not
 * strings, and `typed_config` messages resolved through their `@type`. Field names may be the proto
 * name (snake_case) or its JSON name (camelCase), as protojson accepts both.
 */

const TYPE_URL_PREFIX = 'type.googleapis.com/';
const DURATION = /^-?[0-9]+(\.[0-9]{1,9})?s$/;
const INTEGER_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const WRAPPERS: Record<string, string> = {
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
};

/** The message type an EnvoyFilter `applyTo` patches. */
export const ENVOY_FILTER_APPLY_TO_TYPES: Readonly<Record<string, string>> = {
  LISTENER: 'envoy.config.listener.v3.Listener',
  FILTER_CHAIN: 'envoy.config.listener.v3.FilterChain',
  NETWORK_FILTER: 'envoy.config.listener.v3.Filter',
  HTTP_FILTER: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter',
};

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

class Checker {
  readonly issues: SpecIssue[] = [];
  constructor(private readonly root: Root) {}

  private fail(path: string, value: unknown, allowed: string): void {
    this.issues.push({ path, value: describe(value), allowed });
  }

  message(type: Type, value: unknown, path: string): void {
    const full = type.fullName.replace(/^\./, '');
    if (this.wellKnown(full, value, path)) return;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, value, `expected an object (${full})`);
      return;
    }
    const setOneofs = new Map<string, string>();
    for (const [key, child] of Object.entries(value)) {
      const field = type.fields[key] ?? findByJsonName(type, key);
      const childPath = `${path}.${key}`;
      if (field === undefined) {
        this.fail(childPath, child, `unknown field of ${full}`);
        continue;
      }
      if (field.partOf) {
        const other = setOneofs.get(field.partOf.name);
        if (other !== undefined)
          this.fail(childPath, child, `oneof ${field.partOf.name} already set by ${other}`);
        setOneofs.set(field.partOf.name, key);
      }
      this.field(field, child, childPath);
    }
  }

  private field(field: Field, value: unknown, path: string): void {
    if (field.map) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        this.fail(path, value, 'expected a map (object)');
        return;
      }
      for (const [key, item] of Object.entries(value)) this.single(field, item, `${path}.${key}`);
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) {
        this.fail(path, value, 'expected a list');
        return;
      }
      value.forEach((item, index) => this.single(field, item, `${path}[${index}]`));
      return;
    }
    this.single(field, value, path);
  }

  private single(field: Field, value: unknown, path: string): void {
    const resolved = field.resolvedType;
    if (resolved && 'fields' in resolved) {
      this.message(resolved as Type, value, path);
    } else if (resolved) {
      this.enumValue(resolved as Enum, value, path);
    } else {
      this.scalar(field.type, value, path);
    }
  }

  private enumValue(type: Enum, value: unknown, path: string): void {
    if (typeof value === 'number' && Object.values(type.values).includes(value)) return;
    if (typeof value === 'string' && value in type.values) return;
    this.fail(path, value, `one of ${Object.keys(type.values).join(', ')}`);
  }

  private scalar(kind: string, value: unknown, path: string): void {
    const ok =
      kind === 'string'
        ? typeof value === 'string'
        : kind === 'bool'
          ? typeof value === 'boolean'
          : kind === 'bytes'
            ? typeof value === 'string' && /^[A-Za-z0-9+/=_-]*$/.test(value)
            : kind === 'double' || kind === 'float'
              ? typeof value === 'number'
              : INTEGER_TYPES.has(kind)
                ? Number.isInteger(value) && (!kind.startsWith('u') || (value as number) >= 0)
                : LONG_TYPES.has(kind)
                  ? Number.isInteger(value) || (typeof value === 'string' && /^-?[0-9]+$/.test(value))
                  : false;
    if (!ok) this.fail(path, value, `expected ${kind}`);
  }

  /** Well-known types have their own JSON forms. Returns true when `full` is one of them. */
  private wellKnown(full: string, value: unknown, path: string): boolean {
    const wrapped = WRAPPERS[full];
    if (wrapped !== undefined) {
      this.scalar(wrapped, value, path);
      return true;
    }
    switch (full) {
      case 'google.protobuf.Duration':
        if (typeof value !== 'string' || !DURATION.test(value))
          this.fail(path, value, 'a Duration string such as "0.25s"');
        return true;
      case 'google.protobuf.Timestamp':
        if (typeof value !== 'string') this.fail(path, value, 'an RFC 3339 timestamp string');
        return true;
      case 'google.protobuf.Struct':
        if (value === null || typeof value !== 'object' || Array.isArray(value))
          this.fail(path, value, 'expected an object');
        return true;
      case 'google.protobuf.Value':
      case 'google.protobuf.ListValue':
        return true;
      case 'google.protobuf.Any':
        this.any(value, path);
        return true;
      default:
        return false;
    }
  }

  private any(value: unknown, path: string): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, value, 'expected an object with @type');
      return;
    }
    const { ['@type']: typeUrl, ...rest } = value as Record<string, unknown>;
    if (typeof typeUrl !== 'string' || !typeUrl.startsWith(TYPE_URL_PREFIX)) {
      this.fail(`${path}.@type`, typeUrl, `a type URL starting with ${TYPE_URL_PREFIX}`);
      return;
    }
    const type = lookupType(this.root, typeUrl.slice(TYPE_URL_PREFIX.length));
    if (type === undefined) {
      this.fail(`${path}.@type`, typeUrl, 'a message type from the loaded Envoy protos');
      return;
    }
    this.message(type, rest, path);
  }
}

function jsonName(field: Field): string {
  return field.name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function findByJsonName(type: Type, key: string): Field | undefined {
  return Object.values(type.fields).find((field) => jsonName(field) === key);
}

function lookupType(root: Root, name: string): Type | undefined {
  try {
    return root.lookupType(name);
  } catch {
    return undefined;
  }
}

/**
 * Checks `value` as a message of `typeName` (e.g. `envoy.config.listener.v3.Filter`). Returns every
 * problem with its path under `path`; an empty list means Envoy would accept the value.
 */
export function checkEnvoyMessage(typeName: string, value: unknown, path = 'value'): SpecIssue[] {
  const root = loadEnvoyConfigRoot();
  const type = lookupType(root, typeName);
  if (type === undefined)
    return [{ path, value: typeName, allowed: 'a message type from the loaded Envoy protos' }];
  const checker = new Checker(root);
  checker.message(type, value, path);
  return checker.issues;
}

interface EnvoyFilterPatch {
  readonly applyTo?: string;
  readonly patch?: { readonly operation?: string; readonly value?: unknown };
}

/** Checks one EnvoyFilter `configPatches` entry's `patch.value` against the type its applyTo names. */
export function checkEnvoyFilterPatch(patch: EnvoyFilterPatch, path = 'patch'): SpecIssue[] {
  const applyTo = patch.applyTo ?? '';
  const typeName = ENVOY_FILTER_APPLY_TO_TYPES[applyTo];
  if (typeName === undefined) {
    return [
      {
        path: `${path}.applyTo`,
        value: describe(applyTo),
        allowed: `one of ${Object.keys(ENVOY_FILTER_APPLY_TO_TYPES).join(', ')}`,
      },
    ];
  }
  if (patch.patch?.operation === 'REMOVE') return [];
  return checkEnvoyMessage(typeName, patch.patch?.value ?? {}, `${path}.patch.value`);
}
