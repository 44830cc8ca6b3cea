import { Readable } from 'node:stream';
import { toStorageError } from '../errors.js';

/** Output is handed on in chunks of about this many characters, not one tiny chunk per item. */
const CHUNK_CHARS = 64 * 1024;
/** `onProgress` is called every this many items (and once at the end). */
export const PROGRESS_EVERY = 1000;

const BOM = '\uFEFF';

/**
 * The bookkeeping of one export: counts items written and reports them to `onProgress` (every
 * {@link PROGRESS_EVERY} items and at the end), and knows when the reader went away.
 */
export interface Progress {
  readonly items: number;
  /** True once the output stream is being destroyed: writers stop reading the source. */
  readonly stopped: boolean;
  /** The output stream is being destroyed. */
  stop(): void;
  /** One more item written. */
  tick(): void;
  /** All items written: reports the total. */
  done(): void;
}

export function createProgress(onProgress: ((itemsWritten: number) => void) | undefined): Progress {
  let items = 0;
  let stopped = false;
  return {
    get items() {
      return items;
    },
    get stopped() {
      return stopped;
    },
    stop() {
      stopped = true;
    },
    tick() {
      items += 1;
      if (onProgress && items % PROGRESS_EVERY === 0) onProgress(items);
    },
    done() {
      onProgress?.(items);
    },
  };
}

/**
 * Gathers small pieces of text into chunks of about 64 KiB, so that format writers yield (and
 * streams carry) a few large chunks rather than one small piece per item.
 */
export class Chunker {
  private buffer = '';

  /** Adds a piece; returns a full chunk to yield, or `undefined`. */
  add(piece: string): string | undefined {
    this.buffer += piece;
    if (this.buffer.length < CHUNK_CHARS) return undefined;
    const chunk = this.buffer;
    this.buffer = '';
    return chunk;
  }

  /** What is left at the end (may be empty). */
  rest(): string {
    const chunk = this.buffer;
    this.buffer = '';
    return chunk;
  }
}

async function* batched(
  pieces: AsyncIterable<string | Buffer>,
  bom: boolean,
): AsyncGenerator<string | Buffer> {
  let buffer = bom ? BOM : '';
  try {
    for await (const piece of pieces) {
      if (typeof piece !== 'string') {
        // Bytes (rows copied from a temp file) go on as they are, after the text before them.
        if (buffer !== '') yield buffer;
        buffer = '';
        yield piece;
        continue;
      }
      buffer += piece;
      if (buffer.length >= CHUNK_CHARS) {
        yield buffer;
        buffer = '';
      }
    }
  } catch (err) {
    throw toStorageError(err, 'Export');
  }
  if (buffer !== '') yield buffer;
}

/**
 * A byte stream (UTF-8) over text pieces (and byte pieces, passed on as they are), text batched
 * into chunks of about 64 KiB. The pieces are
 * pulled only as fast as the reader reads (backpressure), and a reader that stops early stops the
 * producer (its `finally` blocks run). Errors reach the reader as `StorageError`s.
 */
export function textReadable(pieces: AsyncIterable<string | Buffer>, bom: boolean): Readable {
  return Readable.from(batched(pieces, bom), { objectMode: false });
}

/**
 * Calls `listener` as soon as `stream` starts being destroyed (by its reader, or by an error).
 * `close` is too late for this: a stream made by `Readable.from` emits it only once its producer
 * reaches its next `yield`, which a long column pass does not do for a while.
 */
export function onDestroy(stream: Readable, listener: () => void): void {
  const destroy = stream._destroy.bind(stream);
  stream._destroy = (error, callback) => {
    listener();
    destroy(error, callback);
  };
}
