import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw } from 'node:zlib';
import { StorageError } from '../errors.js';

/** One file of a zip archive: its name and a function that opens its content. */
export interface ZipEntry {
  name: string;
  open(): Promise<Readable | Buffer>;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of `chunk`, continuing from `crc`. */
export function crc32(chunk: Uint8Array, crc = 0): number {
  let c = crc ^ 0xffffffff;
  for (const byte of chunk) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The limits of a zip without ZIP64 extensions. */
const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;
const FLAGS = 0x0808; // sizes in a data descriptor after the data; UTF-8 names

function dosDateTime(date: Date): { time: number; date: number } {
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((date.getFullYear() - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

interface Written {
  name: Buffer;
  offset: number;
  crc: number;
  compressed: number;
  size: number;
}

function localHeader(name: Buffer, stamp: { time: number; date: number }): Buffer {
  const b = Buffer.alloc(30);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(FLAGS, 6);
  b.writeUInt16LE(8, 8);
  b.writeUInt16LE(stamp.time, 10);
  b.writeUInt16LE(stamp.date, 12);
  b.writeUInt16LE(name.length, 26);
  return Buffer.concat([b, name]);
}

function dataDescriptor(entry: Written): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(entry.crc, 4);
  b.writeUInt32LE(entry.compressed, 8);
  b.writeUInt32LE(entry.size, 12);
  return b;
}

function centralHeader(entry: Written, stamp: { time: number; date: number }): Buffer {
  const b = Buffer.alloc(46);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(20, 6);
  b.writeUInt16LE(FLAGS, 8);
  b.writeUInt16LE(8, 10);
  b.writeUInt16LE(stamp.time, 12);
  b.writeUInt16LE(stamp.date, 14);
  b.writeUInt32LE(entry.crc, 16);
  b.writeUInt32LE(entry.compressed, 20);
  b.writeUInt32LE(entry.size, 24);
  b.writeUInt16LE(entry.name.length, 28);
  b.writeUInt32LE(entry.offset, 42);
  return Buffer.concat([b, entry.name]);
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(size, 12);
  b.writeUInt32LE(offset, 16);
  return b;
}

/** Deflates one entry's content, yielding compressed chunks and filling in crc and sizes. */
async function* deflateEntry(content: Readable | Buffer, entry: Written): AsyncGenerator<Buffer> {
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      entry.crc = crc32(chunk, entry.crc);
      entry.size += chunk.length;
      done(null, chunk);
    },
  });
  const deflater = createDeflateRaw();
  const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
  const piping = pipeline(source, tap, deflater);
  piping.catch(() => undefined); // a failure also destroys `deflater`, so the loop below throws it
  for await (const out of deflater as AsyncIterable<Buffer>) {
    entry.compressed += out.length;
    yield out;
  }
  await piping;
}

function tooLarge(): StorageError {
  return new StorageError(
    'STORAGE_PAYLOAD_TOO_LARGE',
    'The archive would pass 4 GiB or 65,535 records; download the records one by one or by prefix.',
  );
}

/**
 * Streams a zip archive (deflate, sizes in data descriptors) of `entries`, opening one entry at a
 * time, so only one record is read at once. No ZIP64: past 4 GiB or 65,535 entries it fails.
 */
export function zipStream(entries: AsyncIterable<ZipEntry>): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    const written: Written[] = [];
    const stamp = dosDateTime(new Date());
    let offset = 0;
    for await (const item of entries) {
      if (written.length >= MAX_ENTRIES) throw tooLarge();
      const entry: Written = { name: Buffer.from(item.name, 'utf8'), offset, crc: 0, compressed: 0, size: 0 };
      const header = localHeader(entry.name, stamp);
      yield header;
      for await (const chunk of deflateEntry(await item.open(), entry)) yield chunk;
      const descriptor = dataDescriptor(entry);
      yield descriptor;
      offset += header.length + entry.compressed + descriptor.length;
      if (offset > MAX_OFFSET || entry.size > MAX_OFFSET) throw tooLarge();
      written.push(entry);
    }
    const central = Buffer.concat(written.map((entry) => centralHeader(entry, stamp)));
    if (offset + central.length > MAX_OFFSET) throw tooLarge();
    yield central;
    yield endOfCentralDirectory(written.length, central.length, offset);
  }
  return Readable.from(generate(), { objectMode: false });
}
