import type { Dictionary, PaginatedIterator, PaginatedList } from '../../client/types.js';
import {
  createItemTransform,
  type ItemListOptions,
  NO_LIMIT,
  normalizeItemListOptions,
} from '../../items/index.js';
import type { FsContext } from '../context.js';
import { readItems } from './files.js';
import { locateOrThrow, openDataset } from './locate.js';
import { lazyPaginated } from './paginated.js';
import { currentItemCount, noteRead } from './state.js';

/** Items read per page while streaming, unless `chunkSize` says otherwise. */
export const DEFAULT_CHUNK = 1000;

/**
 * A range of a dataset's items, ready to stream. The pagination facts are fixed when it is
 * opened; `items` may be called again (tabular exporters make two passes) and reads the same range.
 */
export interface ItemStream {
  /** Items stored in the dataset when the stream was opened. */
  total: number;
  offset: number;
  /** The limit asked for, or {@link NO_LIMIT} (as the Apify API reports it). */
  limit: number;
  /** Stored items in the range (before skipEmpty, unwind and the like change the record count). */
  count: number;
  desc: boolean;
  /** Each call streams the range's transformed records, reading only its own files, a page at a time. */
  items: () => AsyncIterable<Dictionary>;
}

/** Numbers of the stored items of a range: `count` numbers from `first`, in `step` direction. */
export function planRange(
  total: number,
  options: ItemListOptions,
): { first: number; step: 1 | -1; count: number } {
  const available = Math.max(0, total - options.offset);
  const count = options.limit === undefined ? available : Math.min(options.limit, available);
  return options.desc
    ? { first: total - options.offset, step: -1, count }
    : { first: options.offset + 1, step: 1, count };
}

/**
 * Stored values of a range, one page of files at a time, reading the next page while this one is
 * consumed (one page ahead, never more); gaps (lost or corrupt files) are skipped.
 */
async function* readStored(dir: string, range: ReturnType<typeof planRange>, chunk: number) {
  const readPage = (done: number) => {
    const size = Math.min(chunk, range.count - done);
    const numbers = Array.from({ length: size }, (_, i) => range.first + range.step * (done + i));
    const reads = readItems(dir, numbers);
    // Awaited (so rethrown) on the next round; left alone when the consumer stops early.
    reads.catch(() => undefined);
    return reads;
  };
  let next = range.count > 0 ? readPage(0) : undefined;
  for (let done = 0; next; done += chunk) {
    const reads = await next;
    next = done + chunk < range.count ? readPage(done + chunk) : undefined;
    for (const read of reads) if (read.state === 'ok') yield read.value;
  }
}

/**
 * Opens a streaming, transformed read of a dataset's items: the building block of `listItems`,
 * the exporters, the HTTP server and the CLI. Reads only the files of the range, a page at a
 * time, so the dataset is never held in memory.
 *
 * @param options list options, already checked by {@link normalizeItemListOptions}.
 * @throws StorageError `STORAGE_NOT_FOUND`, `STORAGE_INVALID_NAME`
 */
export async function openItemStream(
  ctx: FsContext,
  idOrName: string,
  options: ItemListOptions,
): Promise<ItemStream> {
  const loc = await locateOrThrow(ctx, idOrName);
  const state = await openDataset(ctx, loc);
  const total = currentItemCount(loc, state);
  const range = planRange(total, options);
  const transform = createItemTransform(options);
  const chunk = options.chunkSize ?? DEFAULT_CHUNK;
  noteRead(state, range.count);
  return {
    total,
    offset: options.offset,
    limit: options.limit ?? NO_LIMIT,
    count: range.count,
    desc: options.desc,
    items: async function* () {
      for await (const value of readStored(loc.dir, range, chunk)) yield* transform(value);
    },
  };
}

/**
 * {@link openItemStream} taking raw options (checked here).
 * @throws StorageError `STORAGE_INVALID_OPTION`, `STORAGE_NOT_FOUND`
 */
export async function iterateItems(ctx: FsContext, idOrName: string, options?: unknown): Promise<ItemStream> {
  return openItemStream(ctx, idOrName, normalizeItemListOptions(options));
}

async function collect(source: AsyncIterable<Dictionary>): Promise<Dictionary[]> {
  const out: Dictionary[] = [];
  for await (const item of source) out.push(item);
  return out;
}

/** One page of items, as `listItems` resolves it. */
export async function listItemsPage(
  ctx: FsContext,
  idOrName: string,
  options: ItemListOptions,
): Promise<PaginatedList<Dictionary>> {
  const stream = await openItemStream(ctx, idOrName, options);
  const items = await collect(stream.items());
  const { total, offset, limit, count, desc } = stream;
  return { items, total, offset, limit, count, desc };
}

/**
 * `listItems` of the client: awaiting gives the page, `for await` streams every record of the
 * range. Bad options reject (they do not throw synchronously).
 */
export function listItems(ctx: FsContext, idOrName: string, raw?: unknown): PaginatedIterator<Dictionary> {
  let options: ItemListOptions | undefined;
  let error: unknown;
  try {
    options = normalizeItemListOptions(raw);
  } catch (err) {
    error = err;
  }
  const checked = (): ItemListOptions => {
    if (!options) throw error;
    return options;
  };
  return lazyPaginated(
    async () => listItemsPage(ctx, idOrName, checked()),
    async function* () {
      const stream = await openItemStream(ctx, idOrName, checked());
      yield* stream.items();
    },
  );
}
