import { inflateRawSync } from 'node:zlib';

/**
 * Reads single entries from a ZIP file held in memory. Only what the kubectl layer archives use:
 * stored (0) and deflated (8) entries, no ZIP64, no encryption. We read the central directory
 * rather than local headers because local headers may defer sizes to a data descriptor.
 */
export function readZipEntry(archive: Buffer, entryName: string): Buffer {
  const eocd = findEndOfCentralDirectory(archive);
  const entries = archive.readUInt16LE(eocd + 10);
  let offset = archive.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (archive.readUInt32LE(offset) !== 0x02014b50)
      throw new Error(`zip: bad central directory at ${offset}`);
    const method = archive.readUInt16LE(offset + 10);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    const localOffset = archive.readUInt32LE(offset + 42);
    const name = archive.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (name === entryName) {
      const localNameLength = archive.readUInt16LE(localOffset + 26);
      const localExtraLength = archive.readUInt16LE(localOffset + 28);
      const start = localOffset + 30 + localNameLength + localExtraLength;
      const data = archive.subarray(start, start + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`zip: entry ${entryName} uses unsupported compression method ${method}`);
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`zip: no entry named ${entryName}`);
}

function findEndOfCentralDirectory(archive: Buffer): number {
  // The record is 22 bytes plus a comment of at most 64 KiB, so search backwards from the end.
  const lowest = Math.max(0, archive.length - 22 - 0xffff);
  for (let i = archive.length - 22; i >= lowest; i--) {
    if (archive.readUInt32LE(i) === 0x06054b50) return i;
  }
  throw new Error('zip: end of central directory not found');
}
