import { StorageError } from '../../errors.js';
import type { FsContext } from '../context.js';
import { type StoreLock, storeLock } from '../locks.js';
import type { StoreLocation, StoreMetadata } from '../stores.js';
import { type DatasetMetadata, isCompleteMetadata, type LiveCounters } from './metadata.js';

/**
 * What this process knows about one dataset, shared by every client of the process (module-level,
 * keyed by storage folder and store id).
 */
export interface DatasetState extends LiveCounters {
  readonly key: string;
  readonly id: string;
  /** Current folder (changes on rename). */
  dir: string;
  name: string | undefined;
  /** Number of the last item; trusted only while {@link epoch} equals the lock's epoch. */
  itemCount: number;
  /** Lock epoch at which `itemCount` and `meta` were loaded; -1 when they must be reloaded. */
  epoch: number;
  /** Metadata as last read or written under the lock. */
  meta: DatasetMetadata | undefined;
  /** True once this process has opened (and, if needed, repaired) the dataset. */
  opened: boolean;
  opening: Promise<void> | undefined;
}

const states = new Map<string, DatasetState>();

function stateKey(ctx: FsContext, id: string): string {
  return `${ctx.config.storageDir}\0${id}`;
}

/** The shared state of the dataset at `loc` (created on first use). */
export function stateOf(ctx: FsContext, loc: StoreLocation): DatasetState {
  const key = stateKey(ctx, loc.id);
  let state = states.get(key);
  if (!state) {
    state = {
      key,
      id: loc.id,
      dir: loc.dir,
      name: loc.name,
      itemCount: 0,
      epoch: -1,
      meta: undefined,
      opened: false,
      opening: undefined,
      accessedAt: undefined,
      pendingReads: 0,
    };
    states.set(key, state);
  }
  state.dir = loc.dir;
  state.name = loc.name;
  return state;
}

/** Drops the state of a deleted dataset. */
export function forgetState(ctx: FsContext, id: string): void {
  states.delete(stateKey(ctx, id));
}

/** The store lock of a dataset (one per store and process, see locks.ts). */
export function lockOf(ctx: FsContext, state: DatasetState): StoreLock {
  return storeLock(ctx.config.storageDir, 'datasets', state.id, state.dir);
}

/** Records a read: `accessedAt` and the read counter, kept in memory until the next metadata write. */
export function noteRead(state: DatasetState, count: number): void {
  state.accessedAt = new Date();
  state.pendingReads += count;
}

/** `STORAGE_NOT_FOUND` for a dataset that disappeared (deleted or renamed by another process). */
export function datasetGone(idOrName: string): StorageError {
  return new StorageError('STORAGE_NOT_FOUND', `Dataset "${idOrName}" was not found.`, {
    details: { kind: 'datasets', idOrName },
  });
}

/** Metadata to start from when a dataset's metadata file has vanished: what this process last knew. */
export function baseMetadata(state: DatasetState): StoreMetadata {
  if (state.meta) return state.meta;
  const now = new Date().toISOString();
  return { id: state.id, name: state.name ?? null, createdAt: now, modifiedAt: now, accessedAt: now };
}

/**
 * The metadata to report: the copy just read from disk, or what this process knows when that copy
 * is incomplete (written by a peer). Call after {@link openDataset} (which refreshes `loc`).
 */
export function currentMetadata(loc: StoreLocation, state: DatasetState): DatasetMetadata {
  if (!isCompleteMetadata(loc.metadata)) return state.meta as DatasetMetadata;
  // This process's pushes may not be on disk yet, or `loc` was read just before they were.
  const newer = state.meta && state.meta.itemCount > loc.metadata.itemCount;
  return newer ? (state.meta as DatasetMetadata) : loc.metadata;
}

/**
 * The number of items readers may see: the committed count on disk, or the count of this process's
 * pushes when larger (or, from a peer's metadata without a count, ours).
 */
export function currentItemCount(loc: StoreLocation, state: DatasetState): number {
  // Datasets only grow: the larger count is the newer one. This process's pushes may not be on
  // disk yet (see push.ts metadataWrite), or `loc` was read just before they were.
  const mine = state.meta?.itemCount ?? 0;
  const disk = loc.metadata.itemCount;
  if (typeof disk === 'number' && Number.isSafeInteger(disk) && disk >= 0) return Math.max(disk, mine);
  return mine;
}
