import { StorageError } from '../errors.js';
import { isPlainObject } from '../items/index.js';
import type { StorageType } from './storage-summary.js';

/** Options every `Storage` method takes: which storage folder. */
export interface StorageDirOptions {
  /** @default env APIFY_LOCAL_STORAGE_DIR, then CRAWLEE_STORAGE_DIR, then `./apify_storage` */
  storageDir?: string;
  /** fsync writes (see `StorageOptions.fsync`). @default false */
  fsync?: boolean;
}

/** Options of {@link Storage.list}. */
export interface StorageListOptions extends StorageDirOptions {
  /** Only this type (`dataset`, `kvs`, `queue` … as {@link parseStorageType} reads them). @default all */
  type?: StorageType | string;
  /** Include unnamed storages. @default false */
  unnamed?: boolean;
}

/** Options of {@link Storage.gc}. */
export interface GcOptions extends StorageDirOptions {
  /** Unnamed storages last modified longer ago than this expire: `7d`, `12h`, `30m` or milliseconds. @default '7d' */
  olderThan?: string | number;
  /** Report what would be removed; remove nothing. @default false */
  dryRun?: boolean;
  /** The current time (for tests and reports). @default new Date() */
  now?: Date;
  /** Called as storages are examined: `done` of `total`. */
  onProgress?: (done: number, total: number) => void;
}

/** Options of {@link Storage.doctor}. */
export interface DoctorOptions extends StorageDirOptions {
  /** Move unreadable files aside, close gaps, write missing sidecars and repair metadata. @default false */
  fix?: boolean;
  /** Called as files are checked: `done` of `total`. */
  onProgress?: (done: number, total: number) => void;
}

/** Options of {@link Storage.purge}. */
export interface PurgeOptions extends StorageDirOptions {
  /** Called after each step (dataset, request queue, key-value store): `done` of `total`. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link Storage.purge} removed from the default storages. */
export interface PurgeResult {
  /** Items of the default dataset. */
  datasetItems: number;
  /** Requests of the default request queue. */
  requests: number;
  /** Records of the default key-value store (those whose key starts with `INPUT` stay). */
  records: number;
}

const DIR_KEYS = ['storageDir', 'fsync'];

/** Checks a `Storage` options object: known keys only, booleans and callbacks of the right type. */
export function checkOptions<T extends object>(
  options: unknown,
  extra: readonly string[],
  method: string,
): T {
  if (options === undefined) return {} as T;
  if (!isPlainObject(options)) {
    throw new StorageError('STORAGE_INVALID_OPTION', `Storage.${method}() takes an options object.`);
  }
  for (const key of Object.keys(options)) {
    if (options[key] !== undefined && !DIR_KEYS.includes(key) && !extra.includes(key)) {
      throw new StorageError('STORAGE_INVALID_OPTION', `Option "${key}" is unknown to Storage.${method}().`, {
        details: { option: key },
      });
    }
  }
  for (const key of ['unnamed', 'dryRun', 'fix']) {
    const value = options[key];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new StorageError('STORAGE_INVALID_OPTION', `Option "${key}" must be true or false.`, {
        details: { option: key },
      });
    }
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new StorageError('STORAGE_INVALID_OPTION', 'Option "onProgress" must be a function.');
  }
  return options as T;
}
