import {
  Client,
  credentials,
  Metadata,
  type MethodDefinition,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';

/** One method of a loaded service, with proto-loader's own serialisers (for encoding test bytes). */
export function serviceMethod(
  service: ServiceClientConstructor,
  name: string,
): MethodDefinition<object, object> {
  const method = service.service[name];
  if (method === undefined) throw new Error(`no method ${name} in ${service.serviceName}`);
  return method as MethodDefinition<object, object>;
}

export type RawReply = { readonly ok: Buffer } | { readonly error: ServiceError };

/**
 * A gRPC client that sends bytes as they are, so a test can put truncated or corrupt protobuf on
 * the wire, and hands back the reply's bytes undecoded.
 */
export class RawGrpcClient {
  private readonly client: Client;

  constructor(address: string) {
    this.client = new Client(address, credentials.createInsecure());
  }

  call(
    method: string,
    bytes: Buffer,
    options: { readonly controlPoint?: string; readonly deadlineMs?: number } = {},
  ): Promise<RawReply> {
    const metadata = new Metadata();
    if (options.controlPoint !== undefined) metadata.set('control-point', options.controlPoint);
    const identity = (buffer: Buffer) => buffer;
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        method,
        identity,
        identity,
        bytes,
        metadata,
        { deadline: Date.now() + (options.deadlineMs ?? 5000) },
        (error, value) => resolve(error ? { error } : { ok: value ?? Buffer.alloc(0) }),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest > 127) {
    out.push((rest % 128) | 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** A length-delimited field's tag and length prefix. */
function lengthPrefix(field: number, length: number): number[] {
  return [...varint((field << 3) | 2), ...varint(length)];
}

/**
 * Bytes of `levels` nested length-delimited messages, innermost empty, alternating between two
 * field numbers (e.g. google.protobuf.Value.list_value = 6 and ListValue.values = 1), wrapped in
 * the given outer fields (outermost first). Built inside out, so it costs O(levels).
 */
export function nestedMessages(options: {
  readonly levels: number;
  readonly alternate: readonly [number, number];
  readonly wrap: ReadonlyArray<{ readonly field: number; readonly prefix?: readonly number[] }>;
}): Buffer {
  const prefixes: number[][] = [];
  let size = 0;
  for (let level = 0; level < options.levels; level++) {
    const field = options.alternate[level % 2] as number;
    const prefix = lengthPrefix(field, size);
    prefixes.push(prefix);
    size += prefix.length;
  }
  for (const outer of [...options.wrap].reverse()) {
    // `prefix` holds fields written before the nested one inside the same message (a map key).
    const head = outer.prefix ?? [];
    const prefix = [...lengthPrefix(outer.field, size + head.length), ...head];
    prefixes.push(prefix);
    size += prefix.length;
  }
  return Buffer.from(prefixes.reverse().flat());
}

/** Bytes that are not UTF-8: a lone continuation byte, an overlong NUL, a cut sequence, 0xff. */
export const INVALID_UTF8 = Buffer.from([0x80, 0xc0, 0x80, 0xe2, 0x28, 0xa1, 0xff, 0xfe]);

/** Replaces every occurrence of an ASCII marker with invalid UTF-8 of the same length. */
export function withInvalidUtf8(bytes: Buffer, marker: string): Buffer {
  const needle = Buffer.from(marker, 'ascii');
  const out = Buffer.from(bytes);
  for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + needle.length)) {
    for (let i = 0; i < needle.length; i++) out[at + i] = INVALID_UTF8[i % INVALID_UTF8.length] as number;
  }
  return out;
}
