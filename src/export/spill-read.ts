import type { FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { StorageError } from '../errors.js';
import type { RowLayout, RowSpill } from './spill.js';

/** Output text is handed on in pieces of about this many characters. */
const PIECE_CHARS = 64 * 1024;
/** Field lengths read from the spill at a time. */
const LENGTHS_READ = 1 << 16;
/** Bytes read from the spill at a time. */
export const SPILL_READ_BYTES = 1 << 20;

/** Rows of one width, one after the other in the spill. */
export interface Segment {
  readonly width: number;
  rows: number;
  /** Byte offset of the segment's first row in the text file. */
  readonly textStart: number;
  /** Byte offset just past its last row (known once the next segment starts or the spill ends). */
  textEnd: number;
  /** Index of its first field length in the lengths file (4 bytes each). */
  readonly lengthsStart: number;
}

/** The spill ended before a row it recorded: its file was cut short behind the export's back. */
function truncatedSpill(): StorageError {
  return new StorageError(
    'STORAGE_IO',
    'The temporary file of the export ended early (was it removed or cut short while the export ran?).',
  );
}

/** Fills `target` from `file` at `position`. @throws StorageError `STORAGE_IO` when the file is shorter. */
async function readInto(file: FileHandle, target: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < target.length; ) {
    const { bytesRead } = await file.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) throw truncatedSpill();
    done += bytesRead;
  }
}

/** The bytes of `file` from `start` to `end`, in fresh buffers of at most `chunk` bytes. */
export async function* readFully(
  file: FileHandle,
  start: number,
  end: number,
  chunk: number,
): AsyncGenerator<Buffer> {
  for (let at = start; at < end; at += chunk) {
    const buffer = Buffer.allocUnsafe(Math.min(chunk, end - at));
    await readInto(file, buffer, at);
    yield buffer;
  }
}

/** Reads UTF-8 text from a byte range and hands it out by length (in UTF-16 code units). */
class TextCursor {
  private text = '';
  private at = 0;
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  /** Characters ready to be taken without reading. */
  get available(): number {
    return this.text.length - this.at;
  }

  /** Reads until `count` characters are ready. */
  async fill(count: number): Promise<void> {
    while (this.available < count) {
      const next = await this.chunks.next();
      if (next.done) throw truncatedSpill();
      this.text = this.text.slice(this.at) + this.decoder.write(next.value);
      this.at = 0;
    }
  }

  take(count: number): string {
    const piece = this.text.slice(this.at, this.at + count);
    this.at += count;
    return piece;
  }

  skip(count: number): void {
    this.at += count;
  }
}

/** The field lengths of a segment's rows (`width` per row), a block of rows at a time. */
async function* lengthBlocks(
  sizes: FileHandle,
  segment: Segment,
): AsyncGenerator<{ rows: number; lengths: Uint32Array }> {
  const perBlock = Math.max(1, Math.floor(LENGTHS_READ / Math.max(1, segment.width)));
  for (let row = 0; row < segment.rows; row += perBlock) {
    const rows = Math.min(perBlock, segment.rows - row);
    const lengths = new Uint32Array(rows * segment.width);
    const position = (segment.lengthsStart + row * segment.width) * 4;
    await readInto(sizes, new Uint8Array(lengths.buffer), position);
    yield { rows, lengths };
  }
}

/** What it takes to lay out the rows of one segment for the final columns. */
interface Relayout {
  readonly width: number;
  readonly layout: RowLayout;
  readonly order: readonly number[];
  /** The columns kept the order they were found in: rows only need cells added at their end. */
  readonly identity: boolean;
  /** Characters of a row besides its fields: start, separators, end. */
  readonly fixed: number;
  /** What an identity row gets before its end: the cells it does not reach. */
  readonly padding: string;
  /** The fields of the row being laid out. */
  readonly fields: string[];
}

function relayoutOf(width: number, layout: RowLayout, order: readonly number[], identity: boolean): Relayout {
  const { start, separator, end, empty } = layout;
  const missing = Array.from({ length: order.length - width }, () => empty);
  return {
    width,
    layout,
    order,
    identity,
    fixed: start.length + end.length + (width > 0 ? separator.length * (width - 1) : 0),
    padding: width > 0 ? missing.map((cell) => separator + cell).join('') : missing.join(separator),
    fields: new Array<string>(width),
  };
}

/** Takes the row whose field lengths start at `lengths[base]` from `cursor`, laid out anew. */
function relaidRow(cursor: TextCursor, lengths: Uint32Array, base: number, plan: Relayout): string {
  const { width, layout, order, fields } = plan;
  const { separator, end } = layout;
  if (plan.identity) {
    let chars = plan.fixed - end.length;
    for (let i = 0; i < width; i++) chars += lengths[base + i] as number;
    const row = cursor.take(chars) + plan.padding + end;
    cursor.skip(end.length);
    return row;
  }
  cursor.skip(layout.start.length);
  for (let i = 0; i < width; i++) {
    if (i > 0) cursor.skip(separator.length);
    fields[i] = cursor.take(lengths[base + i] as number);
  }
  cursor.skip(end.length);
  let line = layout.start;
  for (let p = 0; p < order.length; p++) {
    const index = order[p] as number;
    if (p > 0) line += separator;
    line += index < width ? (fields[index] as string) : layout.empty;
  }
  return line + end;
}

/**
 * The rows of a segment laid out for the final columns `order` (see {@link RowSpill.replay}):
 * with `identity` (the columns kept the order they were found in) a row only gets the cells it
 * does not reach; otherwise it is cut into its fields and put together in `order`.
 */
export async function* reshapeRows(
  text: FileHandle,
  sizes: FileHandle,
  segment: Segment,
  layout: RowLayout,
  order: readonly number[],
  identity: boolean,
): AsyncGenerator<string> {
  const plan = relayoutOf(segment.width, layout, order, identity);
  const cursor = new TextCursor(readFully(text, segment.textStart, segment.textEnd, SPILL_READ_BYTES));
  let out = '';
  for await (const { rows, lengths } of lengthBlocks(sizes, segment)) {
    for (let row = 0, base = 0; row < rows; row++, base += plan.width) {
      let chars = plan.fixed;
      for (let i = 0; i < plan.width; i++) chars += lengths[base + i] as number;
      if (cursor.available < chars) await cursor.fill(chars);
      out += relaidRow(cursor, lengths, base, plan);
      if (out.length >= PIECE_CHARS) {
        yield out;
        out = '';
      }
    }
  }
  if (out !== '') yield out;
}
