import { rmSync } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toStorageError } from '../errors.js';
import { type Cell, MAX_COLUMNS } from './columns.js';
import { readFully, reshapeRows, type Segment, SPILL_READ_BYTES } from './spill-read.js';

/**
 * How a tabular format writes a row as text: `start`, the fields joined by `separator`, `end`.
 * A row laid out this way can be copied to the output as is, or cut into its fields again (the
 * spill keeps every field's length) to be put in another column order or padded with `empty`.
 */
export interface RowLayout {
  readonly start: string;
  readonly separator: string;
  readonly end: string;
  /** The text of a cell the item has no value for. Must equal `field(undefined)`. */
  readonly empty: string;
  /** The text of one cell. */
  field(cell: Cell): string;
}

/** Pending row text is written to the spill once it has this many characters (64 Ki: larger
 * strings built by concatenation take longer to encode than they save in writes). */
const TEXT_FLUSH_CHARS = 1 << 16;
/** Field lengths buffered before they are written; room is kept for one more row of any width. */
const LENGTHS_FLUSH = 1 << 16;

/** Folders of the spills in use: removed at process exit if their export did not get to it. */
const liveFolders = new Set<string>();
let exitHook = false;

function removeLeftFolders(): void {
  for (const folder of liveFolders) {
    try {
      rmSync(folder, { recursive: true, force: true });
    } catch {
      // The process is exiting: nothing left to report to, and the folder is in a temp folder.
    }
  }
}

function track(folder: string): void {
  liveFolders.add(folder);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', removeLeftFolders);
  }
}

async function writeFully(file: FileHandle, data: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * The rows of a tabular export, kept on disk while the items are read once: each row as the text
 * it will have in the output (for the columns known when it was made), and the length of each of
 * its fields. Columns only ever get added, so rows come in segments of growing width. Once all
 * items are read, {@link replay} writes every row in the final column order, copying the bytes of
 * the rows that need no change. Two files in a fresh folder under `dir`; {@link dispose} removes
 * it, and so does the process's `exit` if the export never finished (a process killed by a signal
 * leaves it: `actor-storage-export-*` in the temp folder). Memory stays bounded: about 64 Ki characters of pending text and 256 KiB of lengths.
 */
export class RowSpill {
  private readonly segments: Segment[] = [];
  private pendingText = '';
  private textBytes = 0;
  private readonly lengths = new Uint32Array(LENGTHS_FLUSH + MAX_COLUMNS);
  private pendingLengths = 0;
  private lengthsWritten = 0;
  private disposed = false;

  private constructor(
    private readonly folder: string,
    private readonly text: FileHandle,
    private readonly sizes: FileHandle,
    private readonly layout: RowLayout,
  ) {}

  /**
   * Makes the spill's folder and files under `dir` (default: the system's temp folder).
   * @throws StorageError `STORAGE_IO` when they cannot be made.
   */
  static async create(layout: RowLayout, dir: string = tmpdir()): Promise<RowSpill> {
    let folder: string | undefined;
    try {
      folder = await mkdtemp(join(dir, 'actor-storage-export-'));
      const text = await open(join(folder, 'rows'), 'w+');
      const sizes = await open(join(folder, 'lengths'), 'w+').catch(async (err: unknown) => {
        await text.close();
        throw err;
      });
      track(folder);
      return new RowSpill(folder, text, sizes, layout);
    } catch (err) {
      if (folder !== undefined) await rm(folder, { recursive: true, force: true }).catch(() => undefined); // the cause matters more
      throw toStorageError(err, `Making the temporary file of a tabular export in ${dir}`);
    }
  }

  /** Width of the rows {@link add} takes now (-1 before the first segment). */
  get width(): number {
    return this.segments.at(-1)?.width ?? -1;
  }

  /** Starts a segment of rows of `width` cells (the columns grew, or the first row comes). */
  async startSegment(width: number): Promise<void> {
    await this.flush();
    const last = this.segments.at(-1);
    if (last) last.textEnd = this.textBytes;
    this.segments.push({
      width,
      rows: 0,
      textStart: this.textBytes,
      textEnd: this.textBytes,
      lengthsStart: this.lengthsWritten,
    });
  }

  /**
   * Adds a row of {@link width} cells (holes are empty cells). Returns true when {@link flush}
   * is due before the next row.
   */
  add(row: readonly Cell[]): boolean {
    const segment = this.segments.at(-1) as Segment;
    const { layout, lengths } = this;
    let text = layout.start;
    let at = this.pendingLengths;
    for (let i = 0; i < segment.width; i++) {
      const field = layout.field(row[i]);
      if (i > 0) text += layout.separator;
      text += field;
      lengths[at++] = field.length;
    }
    this.pendingText += text + layout.end;
    this.pendingLengths = at;
    segment.rows += 1;
    return this.pendingText.length >= TEXT_FLUSH_CHARS || at >= LENGTHS_FLUSH;
  }

  /** Writes the pending rows and lengths to disk. */
  async flush(): Promise<void> {
    if (this.pendingText !== '') {
      const bytes = Buffer.from(this.pendingText, 'utf8');
      this.pendingText = '';
      await writeFully(this.text, bytes, this.textBytes);
      this.textBytes += bytes.length;
    }
    if (this.pendingLengths > 0) {
      const bytes = new Uint8Array(this.lengths.buffer, 0, this.pendingLengths * 4);
      await writeFully(this.sizes, bytes, this.lengthsWritten * 4);
      this.lengthsWritten += this.pendingLengths;
      this.pendingLengths = 0;
    }
  }

  /**
   * Every row, in the order added, laid out for the final columns: `order[p]` is the index (in
   * the rows given to {@link add}) of the cell at position `p`; cells a row does not reach are
   * `empty`. Rows already in final form are copied as bytes; the others are cut into their
   * fields and put together again. Yields text and byte chunks of about 64 KiB to 1 MiB.
   */
  async *replay(order: readonly number[]): AsyncGenerator<string | Buffer> {
    await this.flush();
    const last = this.segments.at(-1);
    if (last) last.textEnd = this.textBytes;
    const identity = order.every((index, position) => index === position);
    for (const segment of this.segments) {
      if (segment.rows === 0) continue;
      if (identity && segment.width === order.length) {
        yield* readFully(this.text, segment.textStart, segment.textEnd, SPILL_READ_BYTES);
      } else {
        yield* reshapeRows(this.text, this.sizes, segment, this.layout, order, identity);
      }
    }
  }

  /** Closes and removes the spill's files (once; later calls do nothing); never throws. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // Best effort: the export's own outcome (data or error) is what the caller reports.
    await this.text.close().catch(() => undefined);
    await this.sizes.close().catch(() => undefined);
    await rm(this.folder, { recursive: true, force: true }).catch(() => undefined);
    liveFolders.delete(this.folder);
  }
}
