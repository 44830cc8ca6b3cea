import { join } from 'node:path';
import { isErrno } from '../../errors.js';
import { isCleanItem, isPlainObject } from '../../items/index.js';
import { moveAside, readJson } from '../atomic-write.js';
import type { FsContext } from '../context.js';
import { METADATA_FILE } from '../layout.js';
import { type StoreMetadata, writeStoreMetadata } from '../stores.js';
import { itemExists, listItemNumbers, mapLimit, readItems } from './files.js';
import { type DatasetMetadata, isCompleteMetadata, laterDate, mergeFields, readStats } from './metadata.js';
import { type DatasetState, datasetGone } from './state.js';

/** Items written at once by one push; a crash can leave gaps only this wide. Probing looks this far ahead. */
export const WRITE_WINDOW = 16;
const TALLY_CHUNK = 1000;

/** Counters gathered from item files. */
interface Tally {
  clean: number;
  bytes: number;
  fields: string[];
}

/** Reads item files `numbers` in chunks (never all at once) and adds them to `tally`. */
async function tallyItems(dir: string, numbers: readonly number[], tally: Tally): Promise<void> {
  for (let start = 0; start < numbers.length; start += TALLY_CHUNK) {
    const chunk = numbers.slice(start, start + TALLY_CHUNK);
    const reads = await readItems(dir, chunk);
    for (const read of reads) {
      if (read.state !== 'ok') continue;
      tally.bytes += read.bytes;
      if (isCleanItem(read.value)) tally.clean += 1;
      if (isPlainObject(read.value)) tally.fields = mergeFields(tally.fields, Object.keys(read.value));
    }
  }
}

/**
 * The number of the last item file at or after `n`: stats n+1; when it exists, looks
 * {@link WRITE_WINDOW} numbers ahead, again and again, to step over gaps a crash left.
 * A push writes its first item alone before the others, so a missing n+1 means nothing follows.
 */
export async function probeForward(dir: string, n: number): Promise<number> {
  if (!(await itemExists(dir, n + 1))) return n;
  let highest = n + 1;
  for (;;) {
    const window = Array.from({ length: WRITE_WINDOW }, (_, i) => highest + 1 + i);
    const found = await mapLimit(window, WRITE_WINDOW, (m) => itemExists(dir, m));
    const last = found.lastIndexOf(true);
    if (last === -1) return highest;
    highest = window[last] as number;
  }
}

/** Counts a dataset from its files: for metadata that is missing, corrupt, or written by a peer. */
async function rebuild(dir: string, base: StoreMetadata): Promise<DatasetMetadata> {
  const numbers = await listItemNumbers(dir);
  const tally: Tally = { clean: 0, bytes: 0, fields: [] };
  await tallyItems(dir, numbers, tally);
  const stats = readStats(base);
  return {
    ...base,
    itemCount: numbers.at(-1) ?? 0,
    cleanItemCount: tally.clean,
    fields: tally.fields,
    stats: { ...stats, storageBytes: tally.bytes },
  };
}

/** Adopts items `from..to` that a writer left without updating the metadata (it crashed). */
async function adopt(dir: string, meta: DatasetMetadata, from: number, to: number): Promise<DatasetMetadata> {
  const tally: Tally = { clean: 0, bytes: 0, fields: meta.fields };
  await tallyItems(
    dir,
    Array.from({ length: to - from + 1 }, (_, i) => from + i),
    tally,
  );
  const stats = readStats(meta);
  return {
    ...meta,
    itemCount: to,
    cleanItemCount: meta.cleanItemCount + tally.clean,
    fields: tally.fields,
    modifiedAt: new Date().toISOString(),
    stats: {
      ...stats,
      writeCount: stats.writeCount + (to - from + 1),
      storageBytes: stats.storageBytes + tally.bytes,
    },
  };
}

/**
 * Folds the reads this process made since the last write into the metadata about to be written.
 * Returns how many reads it folded in: subtract them from `pendingReads` once the write succeeded
 * (reads do not take the lock, so more may have come meanwhile).
 */
export function withLiveCounters(
  meta: DatasetMetadata,
  state: DatasetState,
): { meta: DatasetMetadata; flushed: number } {
  const stats = readStats(meta);
  const accessed = laterDate(new Date(String(meta.accessedAt)), state.accessedAt);
  const flushed = state.pendingReads;
  return {
    meta: {
      ...meta,
      accessedAt: Number.isNaN(accessed.getTime()) ? new Date().toISOString() : accessed.toISOString(),
      stats: { ...stats, readCount: stats.readCount + flushed },
    },
    flushed,
  };
}

async function readMetadata(
  state: DatasetState,
  fallback: StoreMetadata,
): Promise<{ meta: DatasetMetadata; dirty: boolean }> {
  const path = join(state.dir, METADATA_FILE);
  const read = await readJson<StoreMetadata>(path);
  if (read.state === 'ok' && isPlainObject(read.value) && typeof read.value.id === 'string') {
    // Another store now lives in this folder: the one addressed is gone.
    if (read.value.id !== state.id) throw datasetGone(state.name ?? state.id);
    if (isCompleteMetadata(read.value))
      return { meta: { ...read.value, stats: readStats(read.value) }, dirty: false };
    return { meta: await rebuild(state.dir, read.value), dirty: true };
  }
  if (read.state !== 'missing') {
    const reason = read.state === 'corrupt' ? read.error.message : 'not a metadata object';
    await moveAside(state.dir, path, `dataset metadata does not parse: ${reason}`);
  }
  const base: StoreMetadata = {
    ...fallback,
    id: state.id,
    name: state.name ?? null,
  };
  return { meta: await rebuild(state.dir, base), dirty: true };
}

/**
 * Loads a dataset's metadata under its store lock and makes it true again: rebuilds it from the
 * files when it is missing, corrupt or incomplete, and adopts items past `itemCount` that a
 * crashed writer left. Writes the metadata back when it changed. Call only inside `lock.run()`.
 *
 * @param fallback metadata to start from when the file is missing (the synthesised one).
 * @throws StorageError `STORAGE_NOT_FOUND` when the folder is gone.
 */
export async function loadUnderLock(
  ctx: FsContext,
  state: DatasetState,
  epoch: number,
  fallback: StoreMetadata,
): Promise<void> {
  try {
    let { meta, dirty } = await readMetadata(state, fallback);
    if (meta.itemCount > 0 && !(await itemExists(state.dir, meta.itemCount))) {
      // The count names an item that is not there (removed by hand, or moved aside): count the files.
      meta = await rebuild(state.dir, meta);
      dirty = true;
    }
    const highest = await probeForward(state.dir, meta.itemCount);
    if (highest > meta.itemCount) {
      meta = await adopt(state.dir, meta, meta.itemCount + 1, highest);
      dirty = true;
    }
    if (dirty) {
      const live = withLiveCounters(meta, state);
      meta = live.meta;
      await writeStoreMetadata({ dir: state.dir }, meta, { fsync: ctx.config.fsync });
      state.pendingReads -= live.flushed;
    }
    state.meta = meta;
    state.itemCount = meta.itemCount;
    state.epoch = epoch;
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) throw datasetGone(state.name ?? state.id);
    throw err;
  }
}
