import type { KeyValueStoreClient, KeyValueStoreInfo, StorageClient } from '../client/types.js';
import { StorageError } from '../errors.js';
import { validateKey } from '../fs/layout.js';
import { type OpenStorageOptions, openStorage } from './open.js';

/** Options of {@link KeyValueStore.setValue}. */
export interface SetValueOptions {
  /**
   * Stored exactly as given. Without it: objects, arrays, numbers and booleans are stored as JSON,
   * strings as `text/plain; charset=utf-8`, Buffers and streams as `application/octet-stream`.
   */
  contentType?: string;
  /** Accepted for Crawlee compatibility; the fs engine does not time out. */
  timeoutSecs?: number;
  /** Accepted for Crawlee compatibility. */
  doNotRetryTimeouts?: boolean;
}

/** Options of {@link KeyValueStore.forEachKey}. */
export interface ForEachKeyOptions {
  /** Start after this key (it is not included). */
  exclusiveStartKey?: string;
  /** Only keys starting with this. */
  prefix?: string;
  /** Passed through to the client (the platform uses it for store schemas). */
  collection?: string;
}

/** Called by {@link KeyValueStore.forEachKey} for each key, in UTF-8 binary order. */
export type KeyConsumer = (key: string, index: number, info: { size: number }) => unknown;

const PLATFORM_API = 'https://api.apify.com/v2';
const instances = new WeakMap<StorageClient, Map<string, KeyValueStore>>();
const withAutoSaved = new Set<KeyValueStore>();
let exitHookInstalled = false;

/** Saves auto-saved values once when the process is about to exit normally. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('beforeExit', () => {
    const stores = [...withAutoSaved];
    withAutoSaved.clear(); // saved once; a later getAutoSavedValue() arms it again
    for (const store of stores) {
      store.persistAutoSavedValues().catch((err: unknown) => {
        process.emitWarning(`actor-storage: could not save auto-saved values: ${String(err)}`);
      });
    }
  });
}

function checkKey(key: unknown): string {
  return validateKey(key);
}

function isBinaryOrStream(value: unknown): boolean {
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  return (
    typeof value === 'object' && value !== null && typeof (value as { pipe?: unknown }).pipe === 'function'
  );
}

/**
 * A key-value store as Crawlee users know it: records (JSON, text, screenshots, files) under keys,
 * the run's `INPUT`, and state saved between runs. Works over any client of the Apify client shape:
 * the fs engine by default, or `apify-client` against the platform or `actor-storage serve`.
 *
 * @example
 * const store = await KeyValueStore.open('screenshots');
 * await store.setValue('home', pngBuffer, { contentType: 'image/png' });
 * const input = await KeyValueStore.getInput<{ startUrls: string[] }>();
 */
export class KeyValueStore {
  /** The store's id. */
  readonly id: string;
  /** The store's name; `undefined` for an unnamed store. The run's default store is named `default`. */
  readonly name: string | undefined;
  /** The client of this store (the Apify client shape). */
  readonly client: KeyValueStoreClient;
  private readonly storageClient: StorageClient;
  private readonly autoSaved = new Map<string, object>();

  private constructor(storageClient: StorageClient, info: KeyValueStoreInfo) {
    this.storageClient = storageClient;
    this.id = info.id;
    this.name = info.name ?? undefined;
    this.client = storageClient.keyValueStore(info.id);
  }

  /**
   * Opens a store by id or name, creating a named store when it does not exist; without
   * `nameOrId`, the run's default store. Opening the same store twice returns the same instance.
   *
   * @example
   * const store = await KeyValueStore.open();                       // ./apify_storage/key_value_stores/default
   * const named = await KeyValueStore.open('results', { storageDir: './data' });
   * @throws StorageError `STORAGE_INVALID_NAME` for a name that breaks the platform rule,
   * `STORAGE_INVALID_OPTION` for an unknown option.
   */
  static async open(nameOrId?: string | null, options: OpenStorageOptions = {}): Promise<KeyValueStore> {
    const { client, info } = await openStorage<KeyValueStoreInfo>(
      'keyValueStore',
      nameOrId ?? undefined,
      options,
    );
    let byId = instances.get(client);
    if (!byId) {
      byId = new Map();
      instances.set(client, byId);
    }
    let store = byId.get(info.id);
    if (!store) {
      store = new KeyValueStore(client, info);
      byId.set(info.id, store);
    }
    return store;
  }

  /**
   * The run's input: the `INPUT` record of the default store (found as `INPUT.json`, `INPUT`,
   * `INPUT.txt` or `INPUT.bin`), or `null`. The key can be changed with env `ACTOR_INPUT_KEY`
   * (or `APIFY_INPUT_KEY`, `CRAWLEE_INPUT_KEY`).
   *
   * @example
   * const input = (await KeyValueStore.getInput<{ maxPages?: number }>()) ?? {};
   * @throws StorageError `STORAGE_CORRUPT` when INPUT.json does not parse (it is moved aside).
   */
  static async getInput<T = unknown>(options: OpenStorageOptions = {}): Promise<T | null> {
    const env = process.env;
    const key = env.ACTOR_INPUT_KEY || env.APIFY_INPUT_KEY || env.CRAWLEE_INPUT_KEY || 'INPUT';
    const store = await KeyValueStore.open(undefined, options);
    return store.getValue<T>(key);
  }

  /**
   * The value of a record: JSON parsed, text as a string, anything else as a Buffer; when the
   * record is missing, `defaultValue`, else `null` (as in Crawlee).
   *
   * @example
   * const state = await store.getValue('STATE', { page: 1 });
   * @throws StorageError `STORAGE_INVALID_KEY`, `STORAGE_CORRUPT` (the file was moved aside).
   */
  async getValue<T = unknown>(key: string, defaultValue?: T): Promise<T | null> {
    const record = await this.client.getRecord(checkKey(key));
    return (record?.value as T | undefined) ?? defaultValue ?? null;
  }

  /**
   * Writes a record; `null` deletes it (as in Crawlee). Strings, Buffers and streams may carry
   * any content type; other values are stored as JSON.
   *
   * @example
   * await store.setValue('OUTPUT', { items: 12 });
   * await store.setValue('page.html', html, { contentType: 'text/html; charset=utf-8' });
   * await store.setValue('OUTPUT', null); // deletes it
   * @throws StorageError `STORAGE_INVALID_KEY`; `STORAGE_INVALID_VALUE` for a value that is not
   * serialisable (BigInt, circular, function, undefined) or an object with a non-JSON content type.
   */
  async setValue(key: string, value: unknown, options: SetValueOptions = {}): Promise<void> {
    checkKey(key);
    const contentType = options?.contentType;
    if (contentType !== undefined && typeof contentType !== 'string') {
      throw new StorageError('STORAGE_INVALID_OPTION', 'Option "contentType" must be a string.');
    }
    if (value === undefined) {
      throw new StorageError(
        'STORAGE_INVALID_VALUE',
        `The value of "${key}" is undefined; use null to delete.`,
      );
    }
    this.syncAutoSaved(key, value);
    if (value === null) return this.client.deleteRecord(key);
    return this.client.setRecord(contentType === undefined ? { key, value } : { key, value, contentType });
  }

  /**
   * True when the store has a record under `key`.
   * @example
   * if (!(await store.recordExists('STATE'))) await store.setValue('STATE', {});
   * @throws StorageError `STORAGE_INVALID_KEY`
   */
  async recordExists(key: string): Promise<boolean> {
    return this.client.recordExists(checkKey(key));
  }

  /**
   * Calls `iteratee(key, index, { size })` for every key in UTF-8 binary order, one page of
   * `listKeys()` at a time; awaits the iteratee before the next key.
   *
   * @example
   * await store.forEachKey(async (key, i, { size }) => console.log(i, key, size), { prefix: 'shot-' });
   * @throws StorageError `STORAGE_INVALID_OPTION` for bad options; whatever `iteratee` throws.
   */
  async forEachKey(iteratee: KeyConsumer, options: ForEachKeyOptions = {}): Promise<void> {
    if (typeof iteratee !== 'function') {
      throw new StorageError('STORAGE_INVALID_OPTION', 'forEachKey() needs a function to call for each key.');
    }
    const { prefix, collection } = options;
    let exclusiveStartKey = options.exclusiveStartKey;
    let index = 0;
    for (;;) {
      const page = await this.client.listKeys({ exclusiveStartKey, prefix, collection });
      for (const item of page.items) await iteratee(item.key, index++, { size: item.size });
      if (!page.isTruncated || !page.nextExclusiveStartKey) return;
      exclusiveStartKey = page.nextExclusiveStartKey;
    }
  }

  /**
   * A URL of the record: over the fs engine, the `file://` URL of the file holding it; over
   * another client, its API URL (`<baseUrl>/v2/key-value-stores/<id>/records/<key>`).
   *
   * @example
   * log.info(`Screenshot saved to ${store.getPublicUrl('home')}`);
   * @throws StorageError `STORAGE_INVALID_KEY`
   */
  getPublicUrl(key: string): string {
    checkKey(key);
    // The fs client answers by its folder: a named store's folder is its name, an unnamed one's its id.
    const fsClient = this.storageClient.keyValueStore(this.name ?? this.id) as {
      recordFileUrl?: (key: string) => string;
    };
    if (typeof fsClient.recordFileUrl === 'function') return fsClient.recordFileUrl(key);
    const api = this.storageClient as { baseUrl?: unknown; publicBaseUrl?: unknown };
    // apify-client's publicBaseUrl defaults to the platform even when baseUrl points elsewhere.
    const publicBase =
      typeof api.publicBaseUrl === 'string' && api.publicBaseUrl !== PLATFORM_API
        ? api.publicBaseUrl
        : undefined;
    const base = publicBase ?? (typeof api.baseUrl === 'string' ? api.baseUrl : PLATFORM_API);
    return `${base}/key-value-stores/${encodeURIComponent(this.id)}/records/${encodeURIComponent(key)}`;
  }

  /**
   * Deletes the store and all its records. The instance must not be used afterwards.
   * @example
   * await (await KeyValueStore.open('tmp-results')).drop();
   */
  async drop(): Promise<void> {
    await this.client.delete();
    instances.get(this.storageClient)?.delete(this.id);
    this.autoSaved.clear();
    withAutoSaved.delete(this);
  }

  /**
   * An object kept in memory and written back to `key`: by {@link persistAutoSavedValues}, and once
   * when the process is about to exit normally (`beforeExit`). Every call for a key returns the
   * same object; change it in place.
   *
   * @example
   * const state = await store.getAutoSavedValue('CRAWL_STATE', { done: 0 });
   * state.done += 1;
   * await store.persistAutoSavedValues();
   * @throws StorageError `STORAGE_INVALID_KEY`; `STORAGE_INVALID_VALUE` when the record is not an object.
   */
  async getAutoSavedValue<T extends object = Record<string, unknown>>(
    key: string,
    defaultValue: T = {} as T,
  ): Promise<T> {
    checkKey(key);
    const cached = this.autoSaved.get(key);
    if (cached) return cached as T;
    const value = await this.getValue<T>(key, defaultValue);
    const again = this.autoSaved.get(key); // another call may have won the race while we read
    if (again) return again as T;
    if (typeof value !== 'object' || value === null) {
      throw new StorageError(
        'STORAGE_INVALID_VALUE',
        `Record "${key}" is not an object; it cannot be auto-saved.`,
      );
    }
    this.autoSaved.set(key, value);
    withAutoSaved.add(this);
    installExitHook();
    return value;
  }

  /**
   * Writes every auto-saved value back to the store.
   * @example
   * setInterval(() => void store.persistAutoSavedValues(), 60_000);
   * @throws StorageError `STORAGE_INVALID_VALUE` when a value is no longer serialisable.
   */
  async persistAutoSavedValues(): Promise<void> {
    await Promise.all([...this.autoSaved].map(([key, value]) => this.client.setRecord({ key, value })));
  }

  /** `setValue()` on an auto-saved key keeps the cached object (the one callers hold) in step. */
  private syncAutoSaved(key: string, value: unknown): void {
    const cached = this.autoSaved.get(key);
    if (!cached || cached === value) return;
    if (value === null || typeof value !== 'object' || isBinaryOrStream(value)) {
      this.autoSaved.delete(key);
      return;
    }
    for (const k of Object.keys(cached)) if (!(k in value)) delete (cached as Record<string, unknown>)[k];
    Object.assign(cached, value);
  }
}
