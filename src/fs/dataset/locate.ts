import { basename } from 'node:path';
import { StorageError } from '../../errors.js';
import type { FsContext } from '../context.js';
import { validateIdOrName } from '../layout.js';
import { findStore, readStoreFolder, type StoreLocation } from '../stores.js';
import { itemExists } from './files.js';
import { type DatasetMetadata, isCompleteMetadata } from './metadata.js';
import { loadUnderLock } from './repair.js';
import { type DatasetState, lockOf, stateOf } from './state.js';

/** Folder last found for an id or name, so that opening by id does not scan every folder each time. */
const folders = new Map<string, string>();

const cacheKey = (ctx: FsContext, idOrName: string) => `${ctx.config.storageDir}\0${idOrName}`;

/**
 * Finds a dataset by id or name (reading its metadata fresh from disk), or `undefined`.
 * @throws StorageError `STORAGE_INVALID_NAME` for an address that could be a path.
 */
export async function locate(ctx: FsContext, idOrName: string): Promise<StoreLocation | undefined> {
  await ctx.ready;
  validateIdOrName(idOrName);
  const key = cacheKey(ctx, idOrName);
  const cached = folders.get(key);
  if (cached !== undefined) {
    const loc = await readStoreFolder(ctx.config.storageDir, 'datasets', cached);
    if (loc && (loc.id === idOrName || loc.name === idOrName)) return loc;
    folders.delete(key);
  }
  const loc = await findStore(ctx.config.storageDir, 'datasets', idOrName);
  if (loc) folders.set(key, basename(loc.dir));
  return loc;
}

/**
 * Like {@link locate}, but throws when the dataset does not exist.
 * @throws StorageError `STORAGE_NOT_FOUND`, `STORAGE_INVALID_NAME`
 */
export async function locateOrThrow(ctx: FsContext, idOrName: string): Promise<StoreLocation> {
  const loc = await locate(ctx, idOrName);
  if (!loc) {
    throw new StorageError('STORAGE_NOT_FOUND', `Dataset "${idOrName}" was not found.`, {
      details: { kind: 'datasets', idOrName },
    });
  }
  return loc;
}

/** Forgets cached folders of a dataset that was renamed or deleted. */
export function forgetFolders(ctx: FsContext, ...idsOrNames: Array<string | undefined>): void {
  for (const idOrName of idsOrNames) if (idOrName !== undefined) folders.delete(cacheKey(ctx, idOrName));
}

/**
 * True when `loc`'s metadata can be trusted without the lock: it is complete, its last item is
 * there (else the count is stale: files were removed by hand or moved aside), and no item file
 * follows its count (a file there means a writer is busy, or crashed before updating the count).
 */
async function isHealthy(loc: StoreLocation): Promise<boolean> {
  if (!isCompleteMetadata(loc.metadata)) return false;
  const count = loc.metadata.itemCount;
  if (count > 0 && !(await itemExists(loc.dir, count))) return false;
  return !(await itemExists(loc.dir, count + 1));
}

/**
 * The state of the dataset at `loc`, opened. The first time in this process, the metadata is
 * checked: when it is complete and nothing follows its count, it is taken as it is (no lock, so
 * readers never wait and a read-only folder can be read); otherwise it is repaired under the store
 * lock (see loadUnderLock).
 */
export async function openDataset(ctx: FsContext, loc: StoreLocation): Promise<DatasetState> {
  const state = stateOf(ctx, loc);
  if (state.opened) return state;
  if (!state.opening && (await isHealthy(loc))) {
    state.meta = loc.metadata as DatasetMetadata;
    state.itemCount = state.meta.itemCount;
    state.epoch = -1; // loaded without the lock: the first write reloads under it
    state.opened = true;
    return state;
  }
  state.opening ??= lockOf(ctx, state)
    .run(async ({ epoch }) => {
      await loadUnderLock(ctx, state, epoch, loc.metadata);
      state.opened = true;
    })
    .finally(() => {
      state.opening = undefined;
    });
  await state.opening;
  // `loc` was read before the open finished; the metadata as repaired is the truth now.
  if (state.meta) loc.metadata = state.meta;
  return state;
}
