/**
 * `google.protobuf.Struct` ⇄ plain JSON, for Envoy's dynamic metadata.
 *
 * Field names of the well-known types are camelCase on the wire objects even with proto-loader's
 * `keepCase: true`: protobufjs bundles google/protobuf/struct.proto with camelCase names
 * (`stringValue`, `kind: 'stringValue'`), and a snake_case `string_value` is silently dropped when
 * encoding. Readers here accept both spellings; writers emit both, so the objects encode correctly
 * whichever way the loader names them.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A `google.protobuf.Value` as proto-loader decodes it (either spelling). */
export interface ProtoValue {
  kind?: string;
  nullValue?: string | number;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: ProtoStruct;
  listValue?: { values?: ProtoValue[] };
  null_value?: string | number;
  number_value?: number;
  string_value?: string;
  bool_value?: boolean;
  struct_value?: ProtoStruct;
  list_value?: { values?: ProtoValue[] };
}

/** A `google.protobuf.Struct` as proto-loader decodes it. */
export interface ProtoStruct {
  fields?: Record<string, ProtoValue>;
}

/** Struct → plain object. Fields absent on the wire are absent here. */
export function structToJson(struct: ProtoStruct | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = valueToJson(value);
  return out;
}

export function valueToJson(value: ProtoValue): JsonValue {
  const string = value.stringValue ?? value.string_value;
  if (string !== undefined) return string;
  const number = value.numberValue ?? value.number_value;
  if (number !== undefined) return number;
  const bool = value.boolValue ?? value.bool_value;
  if (bool !== undefined) return bool;
  const struct = value.structValue ?? value.struct_value;
  if (struct !== undefined) return structToJson(struct);
  const list = value.listValue ?? value.list_value;
  if (list !== undefined) return (list.values ?? []).map(valueToJson);
  // `nullValue`, or a Value with no kind set.
  return null;
}

/** Plain object → Struct, for senders (the test agent, tools). */
export function jsonToStruct(object: Readonly<Record<string, JsonValue>>): ProtoStruct {
  const fields: Record<string, ProtoValue> = {};
  for (const [key, value] of Object.entries(object)) fields[key] = jsonToValue(value);
  return { fields };
}

export function jsonToValue(value: JsonValue): ProtoValue {
  if (value === null) return { nullValue: 'NULL_VALUE', null_value: 'NULL_VALUE' };
  if (typeof value === 'string') return { stringValue: value, string_value: value };
  if (typeof value === 'number') return { numberValue: value, number_value: value };
  if (typeof value === 'boolean') return { boolValue: value, bool_value: value };
  if (Array.isArray(value)) {
    const list = { values: value.map(jsonToValue) };
    return { listValue: list, list_value: list };
  }
  const struct = jsonToStruct(value);
  return { structValue: struct, struct_value: struct };
}
