/** `keyValueStores()`: list and getOrCreate, and the store info both return. */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CollectionClient, KeyValueStoreInfo, PaginatedList } from '../../client/types.js';
import { isErrno, StorageError, toStorageError } from '../../errors.js';
import type { FsContext } from '../context.js';
import { getOrCreateStore, listStores, type StoreLocation } from '../stores.js';
import { checkOptions, intOption } from './options.js';
import { KVS_KIND } from './store-handle.js';

const MAX_LIST_LIMIT = 1000;

function toDate(value: unknown, fallback: Date): Date {
  const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : fallback;
}

function later(a: Date, b: Date | undefined): Date {
  return b !== undefined && b.getTime() > a.getTime() ? b : a;
}

/**
 * The info of a store. Writing a record does not rewrite `__metadata__.json`: `modifiedAt` is the
 * later of the metadata's and the folder's modification time (every record write changes the folder).
 */
export async function storeInfo(location: StoreLocation): Promise<KeyValueStoreInfo> {
  let folderTime: Date | undefined;
  try {
    folderTime = (await stat(location.dir)).mtime;
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err; // deleted meanwhile: the metadata is all there is
  }
  const meta = location.metadata;
  const now = new Date();
  const createdAt = toDate(meta.createdAt, folderTime ?? now);
  const modifiedAt = later(toDate(meta.modifiedAt, createdAt), folderTime);
  const accessedAt = later(toDate(meta.accessedAt, modifiedAt), modifiedAt);
  const info: KeyValueStoreInfo = { id: location.id, createdAt, modifiedAt, accessedAt };
  if (location.name !== undefined) info.name = location.name;
  for (const field of ['userId', 'actId', 'actRunId'] as const) {
    const value = meta[field];
    if (typeof value === 'string') info[field] = value;
  }
  return info;
}

function parseListOptions(options: unknown) {
  const o = checkOptions(
    options,
    { offset: 'number', limit: 'number', desc: 'boolean', unnamed: 'boolean' },
    'keyValueStores().list()',
  );
  return {
    offset: intOption(o.offset, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
    limit: intOption(o.limit, 'limit', { min: 1, max: MAX_LIST_LIMIT, fallback: MAX_LIST_LIMIT }),
    desc: o.desc === true,
    unnamed: o.unnamed === true,
  };
}

/** The collection client of key-value stores. */
export function createKeyValueStoreCollectionClient(ctx: FsContext): CollectionClient<KeyValueStoreInfo> {
  const { storageDir, fsync } = ctx.config;
  return {
    /**
     * Lists stores by creation time; unnamed ones only with `unnamed: true`.
     * @throws StorageError `STORAGE_INVALID_OPTION`
     */
    async list(options): Promise<PaginatedList<KeyValueStoreInfo>> {
      const { offset, limit, desc, unnamed } = parseListOptions(options);
      await ctx.ready;
      try {
        const all = (await listStores(storageDir, KVS_KIND)).filter(
          // Folders of an interrupted @crawlee/memory-storage purge are not stores.
          (loc) => !basename(loc.dir).startsWith('__') && (unnamed || loc.name !== undefined),
        );
        if (desc) all.reverse();
        const items = await Promise.all(all.slice(offset, offset + limit).map(storeInfo));
        return { total: all.length, offset, limit, count: items.length, desc, items };
      } catch (err) {
        throw toStorageError(err, 'Listing key-value stores');
      }
    },
    /**
     * Opens the store with this name, creating it when missing; without a name, creates a new
     * unnamed store.
     * @throws StorageError `STORAGE_INVALID_NAME`
     */
    async getOrCreate(name?: string | null): Promise<KeyValueStoreInfo> {
      if (name !== undefined && name !== null && typeof name !== 'string') {
        throw new StorageError('STORAGE_INVALID_NAME', 'A key-value store name must be a string.');
      }
      await ctx.ready;
      try {
        const { location } = await getOrCreateStore(storageDir, KVS_KIND, name ?? undefined, {}, { fsync });
        return await storeInfo(location);
      } catch (err) {
        throw toStorageError(err, 'Opening a key-value store');
      }
    },
  };
}
