import { toStorageError } from '../../errors.js';
import { writeAtomic } from '../atomic-write.js';
import type { FsContext } from '../context.js';
import type { DeferredWrite } from '../locks.js';
import { writeStoreMetadata, writeStoreMetadataSync } from '../stores.js';
import { itemExists, itemPath, mapLimit, removeItems } from './files.js';
import { locate, locateOrThrow, openDataset } from './locate.js';
import { type DatasetMetadata, mergeFields, readStats } from './metadata.js';
import { loadUnderLock, WRITE_WINDOW, withLiveCounters } from './repair.js';
import { baseMetadata, type DatasetState, lockOf, stateOf } from './state.js';
import { type PreparedItem, prepareItems } from './validate-items.js';

/** The metadata after `items` were written as numbers `first…`. */
function metadataAfter(meta: DatasetMetadata, items: PreparedItem[], first: number): DatasetMetadata {
  const stats = readStats(meta);
  let bytes = 0;
  let clean = 0;
  let fields = meta.fields;
  for (const item of items) {
    bytes += Buffer.byteLength(item.text);
    if (item.clean) clean += 1;
    fields = mergeFields(fields, item.keys);
  }
  const now = new Date().toISOString();
  return {
    ...meta,
    itemCount: first + items.length - 1,
    cleanItemCount: meta.cleanItemCount + clean,
    fields,
    modifiedAt: now,
    accessedAt: now,
    stats: {
      ...stats,
      writeCount: stats.writeCount + items.length,
      storageBytes: stats.storageBytes + bytes,
    },
  };
}

/**
 * The metadata write a push puts off until the lock is let go (at most MAX_HOLD_MS later, see
 * locks.ts), so that a run of pushes writes it once. Other processes see the new items once it is
 * written; this process sees them at once (see currentItemCount). When the process dies first, the
 * item files are on disk and the next locked open adopts them (see loadUnderLock).
 */
function metadataWrite(ctx: FsContext, state: DatasetState): DeferredWrite {
  const options = { fsync: ctx.config.fsync };
  // Registered by a push: state.meta holds pushes whose metadata is not on disk yet.
  const pending = () => (state.meta ? withLiveCounters(state.meta, state) : undefined);
  const done = (live: { meta: DatasetMetadata; flushed: number }) => {
    state.pendingReads -= live.flushed;
    state.meta = live.meta;
  };
  return {
    async flush() {
      const live = pending();
      if (!live) return;
      try {
        await writeStoreMetadata({ dir: state.dir }, live.meta, options);
        done(live);
      } catch {
        // The items are on disk and stay visible here; the reload under the lock adopts them.
        state.epoch = -1;
      }
    },
    flushSync() {
      const live = pending();
      if (!live) return;
      try {
        writeStoreMetadataSync({ dir: state.dir }, live.meta, options);
        done(live);
      } catch {
        // The process is exiting: the items are on disk and the next locked open adopts them.
      }
    },
    async abandon() {
      state.epoch = -1; // another process holds the lock now: reload (and adopt) before writing again
    },
  };
}

/**
 * True when the count known to this process must be loaded again: a new lock epoch, or, within
 * the epoch, an item file after the count (a peer that takes no lock, such as memory-storage, wrote it).
 */
async function isStale(state: DatasetState, epoch: number): Promise<boolean> {
  return state.epoch !== epoch || !state.meta || (await itemExists(state.dir, state.itemCount + 1));
}

/**
 * Writes the item files, then records the new count (the metadata is written when the lock is let
 * go, see metadataWrite). The first file is written alone, so a crash can leave gaps at most
 * {@link WRITE_WINDOW} wide, which probing steps over. On failure the files of this call are removed.
 */
async function writeUnderLock(ctx: FsContext, state: DatasetState, items: PreparedItem[], epoch: number) {
  if (await isStale(state, epoch)) await loadUnderLock(ctx, state, epoch, baseMetadata(state));
  const meta = state.meta as DatasetMetadata;
  const first = state.itemCount + 1;
  const options = { fsync: ctx.config.fsync };
  try {
    await writeAtomic(itemPath(state.dir, first), (items[0] as PreparedItem).text, options);
    await mapLimit(items.slice(1), WRITE_WINDOW, (item, i) =>
      writeAtomic(itemPath(state.dir, first + 1 + i), item.text, options),
    );
    state.meta = metadataAfter(meta, items, first);
    state.itemCount = state.meta.itemCount;
    lockOf(ctx, state).defer(state.key, metadataWrite(ctx, state));
  } catch (err) {
    state.epoch = -1; // reload from disk before the next write
    await removeItems(
      state.dir,
      items.map((_, i) => first + i),
    );
    throw toStorageError(err, `Writing ${items.length} item(s) to dataset "${state.name ?? state.id}"`);
  }
}

/** The dataset each address last pushed to, so that a push within one lock epoch skips locating it. */
const pushedTo = new Map<string, DatasetState>();

/**
 * A push into the dataset `idOrName` last pushed to, queued at once behind the pushes before it
 * (so that pushes in flight keep their order). Within the same lock epoch nothing changed since
 * the last push (no other process, no rename or delete of this one): the dataset is not located
 * again. In a new epoch it is located inside the task. Returns false (nothing written) when the
 * address now names another dataset or none: the caller takes the full path.
 */
async function pushToKnown(ctx: FsContext, idOrName: string, key: string, items: PreparedItem[]) {
  const state = pushedTo.get(key);
  if (!state?.opened) return false;
  return lockOf(ctx, state).run(
    async ({ epoch }) => {
      if (state.epoch !== epoch || !state.meta) {
        const loc = await locate(ctx, idOrName);
        if (!loc || loc.id !== state.id) return false;
        stateOf(ctx, loc); // follows a rename by another process
      }
      await writeUnderLock(ctx, state, items, epoch);
      return true;
    },
    { coherent: true },
  );
}

/**
 * Appends items to a dataset: validates all of them first (nothing is written when one is bad),
 * then writes them under the store lock, numbered after the last item, without gaps or doubles
 * even when several processes push at once.
 *
 * @throws StorageError `STORAGE_NOT_FOUND`, `STORAGE_INVALID_VALUE`, `STORAGE_ITEM_TOO_LARGE`, `STORAGE_IO`
 */
export async function pushItems(ctx: FsContext, idOrName: string, input: unknown): Promise<void> {
  const items = prepareItems(input);
  const key = `${ctx.config.storageDir}\0${idOrName}`;
  // The fast path queues its write at once; it is taken only when no slower push of this address
  // is still on its way, so that pushes in flight land in the order they were made.
  if (items.length > 0 && !slowPushes.has(key) && (await pushToKnown(ctx, idOrName, key, items))) return;
  await inOrder(key, async () => {
    const state = await openDataset(ctx, await locateOrThrow(ctx, idOrName));
    if (items.length === 0) return;
    await lockOf(ctx, state).run(({ epoch }) => writeUnderLock(ctx, state, items, epoch), { coherent: true });
    pushedTo.set(key, state);
  });
}

/** Pushes that locate their dataset first (the first push of an address), one after another per address. */
const slowPushes = new Map<string, Promise<void>>();

function inOrder(key: string, task: () => Promise<void>): Promise<void> {
  const next = (slowPushes.get(key) ?? Promise.resolve()).then(task, task);
  const tail = next.catch(() => undefined); // the caller gets the error; the chain goes on
  slowPushes.set(key, tail);
  void tail.then(() => {
    if (slowPushes.get(key) === tail) slowPushes.delete(key);
  });
  return next;
}
