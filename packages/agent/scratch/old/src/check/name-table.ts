/** Buffer's own UTF-8 decoder, without `toString`'s argument checks. */
type Utf8Slicing = Buffer & { utf8Slice(start: number, end: number): string };

export function utf8Text(buf: Buffer, start: number, end: number): string {
  return start === end ? '' : (buf as Utf8Slicing).utf8Slice(start, end);
}

interface NameEntry {
  readonly bytes: Buffer;
  readonly text: string;
}

/**
 * Short byte strings that repeat from message to message (header names: every Check carries the
 * same dozen) decoded once and then looked up by their bytes, which costs less than decoding them
 * again and hands every Check the same string objects. Bounded: at most `capacity` names, each at
 * most `maxNameBytes`, and a few per hash, so names chosen by a client (or to collide) cannot grow
 * it or slow it down; past those limits a name is decoded as usual.
 */
export class NameTable {
  private readonly byHash = new Map<number, NameEntry[]>();
  private readonly lowerCase = new Map<string, boolean>();
  private size = 0;

  constructor(
    private readonly capacity = 1024,
    private readonly maxNameBytes = 64,
    private readonly maxPerHash = 4,
  ) {}

  /** The UTF-8 text of `buf[start, end)`, as `buf.toString('utf8', start, end)` gives it. */
  text(buf: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length === 0 || length > this.maxNameBytes) return utf8Text(buf, start, end);
    let hash = 0x811c9dc5; // FNV-1a
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
    const entries = this.byHash.get(hash);
    if (entries !== undefined) {
      for (const entry of entries) if (sameBytes(entry.bytes, buf, start, length)) return entry.text;
    }
    const text = utf8Text(buf, start, end);
    if (this.size < this.capacity && (entries === undefined || entries.length < this.maxPerHash)) {
      // A copy: `buf` is the request's own buffer, and keeping a view would keep all of it.
      const entry = { bytes: Buffer.from(buf.subarray(start, end)), text };
      if (entries === undefined) this.byHash.set(hash, [entry]);
      else entries.push(entry);
      this.size++;
    }
    return text;
  }

  /** Whether `name` is its own lower case, remembered for the names the table holds. */
  isLowerCase(name: string): boolean {
    let lower = this.lowerCase.get(name);
    if (lower === undefined) {
      lower = name.toLowerCase() === name;
      if (this.lowerCase.size < this.capacity) this.lowerCase.set(name, lower);
    }
    return lower;
  }
}

function sameBytes(bytes: Buffer, buf: Buffer, start: number, length: number): boolean {
  if (bytes.length !== length) return false;
  for (let i = 0; i < length; i++) if (bytes[i] !== buf[start + i]) return false;
  return true;
}
