import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, toStorageError } from '../errors.js';
import type { FsContext } from './context.js';
import { emptyKeyValueStore } from './key-value-store/index.js';
import { DEFAULT_STORE, kindDir, STORE_KINDS, type StoreKind } from './layout.js';
import { storeLock } from './locks.js';
import { deleteStore, findStore } from './stores.js';

/** Records of the default key-value store that survive a purge: every key starting with `INPUT`. */
export function isInputFile(fileName: string): boolean {
  return fileName.startsWith('INPUT');
}

/** Folders left in `<kind>/` by an interrupted delete, ours (`.deleting-…`) or memory-storage's purge. */
function isLeftoverFolder(name: string): boolean {
  return name.startsWith('.deleting-') || name.startsWith('__CRAWLEE_TEMPORARY') || name.startsWith('__OLD_');
}

async function dropDefault(storageDir: string, kind: StoreKind): Promise<void> {
  const location = await findStore(storageDir, kind, DEFAULT_STORE);
  if (!location) return;
  // Under the store's own lock, so that writes already queued in this process finish first.
  await storeLock(storageDir, kind, location.id, location.dir).run(() =>
    deleteStore(storageDir, kind, location.id),
  );
}

async function removeLeftovers(storageDir: string, kind: StoreKind): Promise<void> {
  let names: string[];
  try {
    names = await readdir(kindDir(storageDir, kind));
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return; // no storages of this kind yet
    throw err;
  }
  const doomed = names.filter(isLeftoverFolder);
  await Promise.all(
    doomed.map((n) => rm(join(kindDir(storageDir, kind), n), { recursive: true, force: true })),
  );
}

/**
 * Empties the run's default storages, as Crawlee's `purgeDefaultStorages()` and
 * @crawlee/memory-storage's `purge()` do: the default dataset and the default request queue are
 * deleted (they are created again, empty, when next opened); the default key-value store loses every
 * record except those whose key starts with `INPUT` (`INPUT.json`, `INPUT`, `INPUT.txt`, `INPUT.bin`
 * and their sidecars). Named storages are never touched. Folders left by an interrupted delete are
 * removed too.
 *
 * @example
 * await purgeDefaultStorages({ config: resolveConfig({ storageDir: './apify_storage' }) });
 * @throws StorageError `STORAGE_IO` when a folder cannot be removed.
 */
export async function purgeDefaultStorages(ctx: Pick<FsContext, 'config'>): Promise<void> {
  const { storageDir } = ctx.config;
  try {
    await dropDefault(storageDir, 'datasets');
    await dropDefault(storageDir, 'request_queues');
    const kvs = await findStore(storageDir, 'key_value_stores', DEFAULT_STORE);
    if (kvs) await emptyKeyValueStore(storageDir, kvs, isInputFile);
    for (const kind of STORE_KINDS) await removeLeftovers(storageDir, kind);
  } catch (err) {
    throw toStorageError(err, 'Purging the default storages');
  }
}
