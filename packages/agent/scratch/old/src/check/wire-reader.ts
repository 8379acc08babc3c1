import { utf8Text, type NameTable } from './name-table.js';

/** A protobuf message whose bytes do not parse: truncated, an overrunning length, a bad wire type. */
export class WireFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'WireFormatError';
  }
}

/** Protobuf wire types (the low 3 bits of a tag). */
export const WireType = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  startGroup: 3,
  endGroup: 4,
  fixed32: 5,
} as const;

/** Groups nested deeper than this are refused, as protobufjs refuses them (its recursionLimit). */
const MAX_GROUP_DEPTH = 100;

/**
 * A cursor over protobuf wire bytes, bounded by `end`. It is strict where protobufjs is lenient:
 * a length that runs past its enclosing message, or a string cut short by the end of the buffer,
 * is an error rather than a clipped value, so a malformed message is refused as a whole.
 */
export class WireReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
    public end = buf.length,
  ) {
    this.pos = pos;
  }

  /** A varint of at most 5 bytes (tags and lengths), as an unsigned 32-bit number. */
  uint32(): number {
    const buf = this.buf;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw new WireFormatError('truncated varint', this.pos);
      const byte = buf[this.pos++] as number;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
    }
    throw new WireFormatError('varint longer than 5 bytes', this.pos);
  }

  /**
   * An int64 varint as a JS number: two's complement for negatives, exact up to 2^53, as
   * protobufjs' LongBits.toNumber gives it. Bits past the 64th are dropped, as protobufjs drops them.
   */
  int64(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireFormatError('truncated varint', this.pos);
      const byte = buf[this.pos++] as number;
      const bits = byte & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (byte < 0x80) {
        lo >>>= 0;
        hi >>>= 0;
        if (hi >>> 31) {
          let negLo = (~lo + 1) >>> 0;
          let negHi = ~hi >>> 0;
          if (negLo === 0) negHi = (negHi + 1) >>> 0;
          negLo >>>= 0;
          return -(negLo + negHi * 4294967296);
        }
        return lo + hi * 4294967296;
      }
    }
    throw new WireFormatError('varint longer than 10 bytes', this.pos);
  }

  /** The end offset of a length-delimited field whose length prefix is next; pos moves past the prefix. */
  lengthDelimitedEnd(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.end) throw new WireFormatError(`length ${length} runs past its message`, this.pos);
    return end;
  }

  /** A length-delimited field as UTF-8 text (invalid sequences become U+FFFD, as in protobufjs). */
  string(): string {
    const end = this.lengthDelimitedEnd();
    const start = this.pos;
    this.pos = end;
    return utf8Text(this.buf, start, end);
  }

  /** {@link string}, through `names` for text that repeats across messages. */
  name(names: NameTable): string {
    const end = this.lengthDelimitedEnd();
    const start = this.pos;
    this.pos = end;
    return names.text(this.buf, start, end);
  }

  /** Skips a field of `wireType` whose tag has been read. */
  skip(wireType: number, depth = 0): void {
    switch (wireType) {
      case WireType.varint:
        for (;;) {
          if (this.pos >= this.end) throw new WireFormatError('truncated varint', this.pos);
          if ((this.buf[this.pos++] as number) < 0x80) return;
        }
      case WireType.fixed64:
        this.advance(8);
        return;
      case WireType.lengthDelimited:
        this.pos = this.lengthDelimitedEnd();
        return;
      case WireType.startGroup:
        if (depth >= MAX_GROUP_DEPTH) throw new WireFormatError('groups nested too deep', this.pos);
        for (;;) {
          const inner = this.uint32() & 7;
          if (inner === WireType.endGroup) return;
          this.skip(inner, depth + 1);
        }
      case WireType.fixed32:
        this.advance(4);
        return;
      default:
        throw new WireFormatError(`invalid wire type ${wireType}`, this.pos);
    }
  }

  private advance(bytes: number): void {
    if (this.pos + bytes > this.end) throw new WireFormatError(`truncated ${bytes}-byte field`, this.pos);
    this.pos += bytes;
  }
}
