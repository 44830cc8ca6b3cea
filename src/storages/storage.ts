import { basename } from 'node:path';
import { resolveConfig } from '../config.js';
import { StorageError } from '../errors.js';
import {
  type DoctorProblem,
  type DoctorProblemKind,
  type DoctorReport,
  doctorStorageDir,
} from '../fs/doctor.js';
import { collectGarbage, type GcEntry, type GcKeepReason, type GcResult } from '../fs/gc.js';
import { createFsClient, type FsClient } from '../fs/index.js';
import { DEFAULT_STORE, KIND_LABEL } from '../fs/layout.js';
import { findStore, listStores, type StoreLocation } from '../fs/stores.js';
import { DEFAULT_RETENTION, parseDuration } from './duration.js';
import {
  checkOptions,
  type DoctorOptions,
  type GcOptions,
  type PurgeOptions,
  type PurgeResult,
  type StorageDirOptions,
  type StorageListOptions,
} from './storage-options.js';
import {
  countRecords,
  parseStorageType,
  STORAGE_TYPES,
  STORE_KIND_OF,
  type StorageSummary,
  type StorageType,
  summarise,
} from './storage-summary.js';

function clientFor(options: StorageDirOptions): FsClient {
  return createFsClient({ storageDir: options.storageDir, fsync: options.fsync });
}

export type {
  DoctorOptions,
  DoctorProblem,
  DoctorProblemKind,
  DoctorReport,
  GcEntry,
  GcKeepReason,
  GcOptions,
  GcResult,
  PurgeOptions,
  PurgeResult,
  StorageDirOptions,
  StorageListOptions,
};

/**
 * The storages of one local storage folder, for administration: open any storage by id or name
 * (without creating it), list them with their counts and size on disk, rename or drop one, purge
 * the default storages, delete expired unnamed storages (`gc`), and check and repair the folder
 * (`doctor`). The CLI is built on it.
 *
 * @example
 * const all = await Storage.list({ unnamed: true, storageDir: './apify_storage' });
 * const products = await Storage.open('dataset', 'products');
 * await products.rename('products-2024');
 * const { removed, bytesFreed } = await Storage.gc({ olderThan: '7d', dryRun: true });
 */
export class Storage {
  /** The storage's type. */
  readonly type: StorageType;
  /** Its id; stays the same across renames. */
  readonly id: string;
  private location: StoreLocation;
  private readonly client: FsClient;

  private constructor(client: FsClient, type: StorageType, location: StoreLocation) {
    this.client = client;
    this.type = type;
    this.id = location.id;
    this.location = location;
  }

  /** Its name; `undefined` when unnamed. */
  get name(): string | undefined {
    return this.location.name;
  }

  /** Absolute path of its folder. */
  get dir(): string {
    return this.location.dir;
  }

  /**
   * Finds an existing storage by id or name; `undefined` when there is none. Never creates one.
   * @throws StorageError `STORAGE_INVALID_OPTION` (unknown type), `STORAGE_INVALID_NAME` (an address
   *   that could be a path).
   */
  static async find(
    type: StorageType | string,
    idOrName: string,
    options: StorageDirOptions = {},
  ): Promise<Storage | undefined> {
    const checked = parseStorageType(type);
    const opts = checkOptions<StorageDirOptions>(options, [], 'find');
    const client = clientFor(opts);
    const location = await findStore(client.storageDir, STORE_KIND_OF[checked], idOrName);
    return location && new Storage(client, checked, location);
  }

  /**
   * Opens an existing storage by id or name. Unlike `Dataset.open()`, never creates one.
   *
   * @example
   * const queue = await Storage.open('queue', 'default');
   * console.log((await queue.getInfo()).counts);
   * @throws StorageError `STORAGE_NOT_FOUND`, `STORAGE_INVALID_NAME`, `STORAGE_INVALID_OPTION`
   */
  static async open(
    type: StorageType | string,
    idOrName: string,
    options: StorageDirOptions = {},
  ): Promise<Storage> {
    const storage = await Storage.find(type, idOrName, options);
    if (!storage) {
      const kind = STORE_KIND_OF[parseStorageType(type)];
      throw new StorageError('STORAGE_NOT_FOUND', `${KIND_LABEL[kind]} "${idOrName}" was not found.`, {
        details: { kind, idOrName },
      });
    }
    return storage;
  }

  /**
   * The storages of the folder with counts and size on disk: named ones, and unnamed ones too
   * with `unnamed: true`. Ordered by type (datasets, key-value stores, request queues), then by
   * creation time.
   *
   * @example
   * for (const s of await Storage.list({ type: 'dataset', unnamed: true })) console.log(s.id, s.counts);
   * @throws StorageError `STORAGE_INVALID_OPTION`
   */
  static async list(options: StorageListOptions = {}): Promise<StorageSummary[]> {
    const opts = checkOptions<StorageListOptions>(options, ['type', 'unnamed'], 'list');
    const types = opts.type === undefined ? STORAGE_TYPES : [parseStorageType(opts.type)];
    const client = clientFor(opts);
    const retention = parseDuration(DEFAULT_RETENTION);
    const out: StorageSummary[] = [];
    for (const type of types) {
      for (const location of await listStores(client.storageDir, STORE_KIND_OF[type])) {
        if (location.name === undefined && opts.unnamed !== true) continue;
        if (basename(location.dir).startsWith('__')) continue; // a peer's interrupted purge left it
        const summary = await summarise(client, type, location, retention);
        if (summary) out.push(summary);
      }
    }
    return out;
  }

  /**
   * Empties the run's default storages: the default dataset and request queue are deleted, the
   * default key-value store loses every record except those whose key starts with `INPUT`.
   * Named storages are never touched.
   *
   * @example
   * const { datasetItems, records } = await Storage.purge({ storageDir: './apify_storage' });
   * @throws StorageError `STORAGE_IO`
   */
  static async purge(options: PurgeOptions = {}): Promise<PurgeResult> {
    const opts = checkOptions<PurgeOptions>(options, ['onProgress'], 'purge');
    const client = clientFor(opts);
    const dataset = await client.dataset(DEFAULT_STORE).get();
    const queue = await client.requestQueue(DEFAULT_STORE).get();
    const kvs = client.keyValueStore(DEFAULT_STORE);
    const records = (await kvs.get()) ? await countRecords(kvs, (key) => !key.startsWith('INPUT')) : 0;
    await client.dataset(DEFAULT_STORE).delete();
    opts.onProgress?.(1, 3);
    await client.requestQueue(DEFAULT_STORE).delete();
    opts.onProgress?.(2, 3);
    await client.purge();
    opts.onProgress?.(3, 3);
    return { datasetItems: dataset?.itemCount ?? 0, requests: queue?.totalRequestCount ?? 0, records };
  }

  /**
   * Deletes unnamed storages last modified longer ago than `olderThan` (7 days by default, as on
   * the platform). Never touches a named storage, the default storages of a run, a storage another
   * process holds locked, or one whose metadata does not parse. Returns what was (with `dryRun`:
   * would be) removed and the bytes freed.
   *
   * @example
   * const { removed, bytesFreed } = await Storage.gc({ olderThan: '12h', dryRun: true });
   * @throws StorageError `STORAGE_INVALID_OPTION` for a bad duration, `STORAGE_IO`
   */
  static async gc(options: GcOptions = {}): Promise<GcResult> {
    const opts = checkOptions<GcOptions>(options, ['olderThan', 'dryRun', 'now', 'onProgress'], 'gc');
    const olderThanMs = parseDuration(opts.olderThan ?? DEFAULT_RETENTION);
    if (opts.now !== undefined && (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime()))) {
      throw new StorageError('STORAGE_INVALID_OPTION', 'Option "now" must be a valid Date.');
    }
    return collectGarbage({
      storageDir: resolveConfig({ storageDir: opts.storageDir }).storageDir,
      olderThanMs,
      dryRun: opts.dryRun === true,
      now: opts.now ?? new Date(),
      onProgress: opts.onProgress,
    });
  }

  /**
   * Checks a storage folder: files that do not parse, missing or stale metadata, key-value
   * records without sidecars, gaps in dataset numbering, stray and temp files. With `fix`, moves
   * unreadable and stray files aside (into the storage's `__corrupt__/`), removes leftover temp
   * files, closes gaps (later items move down, order kept), writes missing sidecars and repairs
   * metadata, each storage under its lock. A second run after a fix finds nothing.
   *
   * @example
   * const report = await Storage.doctor({ fix: false });
   * for (const p of report.problems) console.log(p.kind, p.path, p.message);
   * @throws StorageError `STORAGE_INVALID_OPTION`, `STORAGE_IO`
   */
  static async doctor(options: DoctorOptions = {}): Promise<DoctorReport> {
    const opts = checkOptions<DoctorOptions>(options, ['fix', 'onProgress'], 'doctor');
    const { storageDir, fsync } = resolveConfig({ storageDir: opts.storageDir, fsync: opts.fsync });
    return doctorStorageDir(storageDir, { fix: opts.fix === true, fsync, onProgress: opts.onProgress });
  }

  /**
   * Its summary: counts, size on disk, timestamps and when it expires (unnamed storages).
   * @throws StorageError `STORAGE_NOT_FOUND` after it was dropped.
   */
  async getInfo(): Promise<StorageSummary> {
    const location = await this.relocate();
    const summary = await summarise(this.client, this.type, location, parseDuration(DEFAULT_RETENTION));
    if (!summary) throw this.gone();
    return summary;
  }

  /**
   * Renames it (the id stays), names an unnamed storage (which then never expires), or with
   * `null` makes it unnamed.
   *
   * @example
   * await (await Storage.open('kvs', 'aB3dE5gH7jK9mN1pQ')).rename('screenshots');
   * @throws StorageError `STORAGE_INVALID_NAME`, `STORAGE_NAME_TAKEN`, `STORAGE_NOT_FOUND`
   */
  async rename(newName: string | null): Promise<StorageSummary> {
    const location = await this.relocate();
    const ref = location.name ?? location.id;
    const fields = { name: newName };
    if (this.type === 'dataset') await this.client.dataset(ref).update(fields);
    else if (this.type === 'keyValueStore') await this.client.keyValueStore(ref).update(fields);
    else await this.client.requestQueue(ref).update(fields);
    return this.getInfo();
  }

  /**
   * Deletes it and everything in it.
   * @throws StorageError `STORAGE_NOT_FOUND` when it is already gone.
   */
  async drop(): Promise<void> {
    const location = await this.relocate();
    const ref = location.name ?? location.id;
    if (this.type === 'dataset') await this.client.dataset(ref).delete();
    else if (this.type === 'keyValueStore') await this.client.keyValueStore(ref).delete();
    else await this.client.requestQueue(ref).delete();
  }

  /** Finds the folder again (another process may have renamed it). */
  private async relocate(): Promise<StoreLocation> {
    const kind = STORE_KIND_OF[this.type];
    const found = await findStore(this.client.storageDir, kind, this.location.name ?? this.id);
    const location =
      found && found.id === this.id ? found : await findStore(this.client.storageDir, kind, this.id);
    if (!location || location.id !== this.id) throw this.gone();
    this.location = location;
    return location;
  }

  private gone(): StorageError {
    const kind = STORE_KIND_OF[this.type];
    return new StorageError(
      'STORAGE_NOT_FOUND',
      `${KIND_LABEL[kind]} "${this.name ?? this.id}" was not found.`,
      {
        details: { kind, id: this.id },
      },
    );
  }
}
