import { basename } from 'node:path';
import type { CollectionClient, DatasetInfo, PaginatedList } from '../../client/types.js';
import { StorageError } from '../../errors.js';
import { isPlainObject } from '../../items/index.js';
import type { FsContext } from '../context.js';
import { validateIdOrName } from '../layout.js';
import { getOrCreateStore, listStores } from '../stores.js';
import { infoOf } from './info.js';
import { initialDatasetFields } from './metadata.js';

/** Most storages a collection list returns at once (and its default). */
export const MAX_LIST_LIMIT = 1000;

interface ListOptions {
  offset: number;
  limit: number;
  desc: boolean;
  unnamed: boolean;
}

function isAddressable(folder: string): boolean {
  try {
    validateIdOrName(folder);
    return true;
  } catch {
    return false; // not a name or id anyone can open
  }
}

function invalid(option: string, message: string): StorageError {
  return new StorageError('STORAGE_INVALID_OPTION', `Option "${option}" ${message}`, { details: { option } });
}

function checkListOptions(raw: unknown = {}): ListOptions {
  if (!isPlainObject(raw)) throw invalid('options', 'must be an object.');
  for (const key of Object.keys(raw)) {
    if (raw[key] !== undefined && !['offset', 'limit', 'desc', 'unnamed'].includes(key)) {
      throw invalid(key, 'is unknown.');
    }
  }
  const int = (key: string, min: number, fallback: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw invalid(key, `must be an integer of at least ${min}.`);
    }
    return value;
  };
  const bool = (key: string): boolean => {
    const value = raw[key] ?? false;
    if (typeof value !== 'boolean') throw invalid(key, 'must be true or false.');
    return value;
  };
  return {
    offset: int('offset', 0, 0),
    limit: Math.min(int('limit', 1, MAX_LIST_LIMIT), MAX_LIST_LIMIT),
    desc: bool('desc'),
    unnamed: bool('unnamed'),
  };
}

/**
 * `datasets().list()`: named datasets (and unnamed ones with `unnamed: true`), oldest first
 * (newest first with `desc`). `limit` defaults to 1000 and is capped there.
 * @throws StorageError `STORAGE_INVALID_OPTION`
 */
async function listDatasets(ctx: FsContext, raw?: unknown): Promise<PaginatedList<DatasetInfo>> {
  const options = checkListOptions(raw);
  await ctx.ready;
  // Folders that cannot be addressed (a peer's temp folders such as `__CRAWLEE_TEMPORARY_…`) are not datasets.
  let stores = (await listStores(ctx.config.storageDir, 'datasets')).filter((loc) =>
    isAddressable(basename(loc.dir)),
  );
  if (!options.unnamed) stores = stores.filter((loc) => loc.name !== undefined);
  if (options.desc) stores.reverse();
  const page = stores.slice(options.offset, options.offset + options.limit);
  const items: DatasetInfo[] = [];
  for (const loc of page) items.push(await infoOf(ctx, loc));
  return {
    total: stores.length,
    offset: options.offset,
    limit: options.limit,
    count: items.length,
    desc: options.desc,
    items,
  };
}

/**
 * `datasets().getOrCreate(name?)`: the dataset of that name, created when missing; without a
 * name, a new unnamed dataset.
 * @throws StorageError `STORAGE_INVALID_NAME`
 */
async function getOrCreateDataset(ctx: FsContext, name?: unknown): Promise<DatasetInfo> {
  if (name !== undefined && name !== null && typeof name !== 'string') {
    throw new StorageError('STORAGE_INVALID_NAME', 'A dataset name is a string.');
  }
  await ctx.ready;
  const { location } = await getOrCreateStore(
    ctx.config.storageDir,
    'datasets',
    name ?? undefined,
    initialDatasetFields(),
    { fsync: ctx.config.fsync },
  );
  return infoOf(ctx, location);
}

/** The `datasets()` collection client of the fs engine. */
export function createDatasetCollectionClient(ctx: FsContext): CollectionClient<DatasetInfo> {
  return {
    list: (options) => listDatasets(ctx, options),
    getOrCreate: (name) => getOrCreateDataset(ctx, name),
  };
}
