/**
 * Size on disk of one store folder: the bytes and files under it (items, records, sidecars,
 * metadata, queue index). Neither the platform nor the client interface reports it for key-value
 * stores and request queues, so the storage browser asks this local-only endpoint.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, toStorageError } from '../errors.js';
import type { StoreKind } from '../fs/layout.js';
import { findStore } from '../fs/stores.js';

/** Bytes and files under a store folder. */
export interface FolderUsage {
  bytes: number;
  files: number;
}

/** Files stat'ed at once while walking a folder. */
const STAT_BATCH = 64;
/** A cached result is reused while the folder's mtime is unchanged, for at most this long. */
const CACHE_MS = 30_000;
const CACHE_SIZE = 200;

interface CacheEntry {
  mtimeMs: number;
  at: number;
  usage: FolderUsage;
}

const cache = new Map<string, CacheEntry>();

/** Sizes of `names` in `dir`; a file removed meanwhile (a temp file renamed away) counts as absent. */
async function sizes(dir: string, names: string[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < names.length; i += STAT_BATCH) {
    const batch = names.slice(i, i + STAT_BATCH);
    const stats = await Promise.all(
      batch.map((name) =>
        lstat(join(dir, name)).then(
          (s) => s.size,
          (err: unknown) => {
            if (isErrno(err, 'ENOENT')) return -1; // gone since the listing: not counted
            throw err;
          },
        ),
      ),
    );
    out.push(...stats);
  }
  return out;
}

/** Walks `dir` (sub-folders too, links not followed). */
async function walk(dir: string): Promise<FolderUsage> {
  const usage: FolderUsage = { bytes: 0, files: 0 };
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => e.name);
  for (const size of await sizes(dir, files)) {
    if (size < 0) continue;
    usage.bytes += size;
    usage.files += 1;
  }
  for (const sub of entries.filter((e) => e.isDirectory())) {
    const inner = await walk(join(dir, sub.name)).catch((err: unknown) => {
      if (isErrno(err, 'ENOENT')) return { bytes: 0, files: 0 }; // removed meanwhile
      throw err;
    });
    usage.bytes += inner.bytes;
    usage.files += inner.files;
  }
  return usage;
}

/**
 * The usage of the store `idOrName` of `kind` under `storageDir`; `undefined` when it does not
 * exist. Cached per folder while its mtime stays the same (up to 30 s): a number for people to
 * read, not an exact account.
 * @throws StorageError `STORAGE_INVALID_NAME` for a bad address, `STORAGE_IO` when the folder cannot be read.
 */
export async function storeFolderUsage(
  storageDir: string,
  kind: StoreKind,
  idOrName: string,
): Promise<FolderUsage | undefined> {
  const location = await findStore(storageDir, kind, idOrName);
  if (!location) return undefined;
  try {
    const { mtimeMs } = await stat(location.dir);
    const hit = cache.get(location.dir);
    if (hit && hit.mtimeMs === mtimeMs && Date.now() - hit.at < CACHE_MS) return hit.usage;
    const usage = await walk(location.dir);
    cache.delete(location.dir);
    cache.set(location.dir, { mtimeMs, at: Date.now(), usage });
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    return usage;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined; // deleted while we looked
    throw toStorageError(err, `Measuring the folder of "${idOrName}"`);
  }
}
