/** `keyValueStore(idOrName)`: one store and its records over the fs engine. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  GetRecordOptions,
  KeyValueStoreClient,
  KeyValueStoreInfo,
  KeyValueStoreItemData,
  KeyValueStoreRecord,
  ListKeysOptions,
  ListKeysResult,
  UpdateOptions,
} from '../../client/types.js';
import { isErrno, StorageError, toStorageError } from '../../errors.js';
import type { FsContext } from '../context.js';
import { kindDir, validateIdOrName, validateKey, validateName } from '../layout.js';
import { deleteStore, renameStore, type StoreLocation } from '../stores.js';
import { storeInfo } from './collection.js';
import { encodeValue } from './encode.js';
import { type Paged, pagedKeyNames, pagedKeys, pagedRecords } from './iterate.js';
import { listKeysPage, parseListKeysOptions } from './list-keys.js';
import { candidateFiles, checkKeyFitsOnDisk, extensionFor, sidecarFileName } from './naming.js';
import { checkOptions } from './options.js';
import { type ReadMode, readRecord } from './read-record.js';
import { forgetRecordIndex, peekRecordIndex } from './record-index.js';
import { parseSidecar } from './sidecar.js';
import { StoreAccess } from './store-access.js';
import { KVS_KIND } from './store-handle.js';
import { deleteRecordFiles, writeRecord } from './write-record.js';

/** The fs engine's key-value store client: the client interface plus a file URL for a record. */
export interface FsKeyValueStoreClient extends KeyValueStoreClient {
  /**
   * The `file://` URL of the file holding `key` (synchronous, as `KeyValueStore.getPublicUrl` is):
   * from the record's sidecar or the index when known, else `<store folder>/<key>`.
   * @throws StorageError `STORAGE_INVALID_KEY`
   */
  recordFileUrl(key: string): string;
  /** The first page when awaited; every key item, page after page, when iterated. */
  listKeys(options?: ListKeysOptions): Paged<ListKeysResult, KeyValueStoreItemData>;
  /** Like `listKeys()`, iterating key names (Crawlee's `KeyValueStore.keys()`). */
  keys(options?: ListKeysOptions): Paged<ListKeysResult, string>;
  /** Record values in key order (Crawlee's `KeyValueStore.values()`). */
  values(options?: ListKeysOptions): Paged<unknown[], unknown>;
  /** `[key, value]` pairs in key order (Crawlee's `KeyValueStore.entries()`). */
  entries(options?: ListKeysOptions): Paged<[string, unknown][], [string, unknown]>;
}

function readMode(options: unknown): ReadMode {
  const o = checkOptions(
    options,
    { buffer: 'boolean', stream: 'boolean', disableRedirect: 'boolean', signature: 'string' },
    'getRecord()',
  );
  return o.stream === true ? 'stream' : o.buffer === true ? 'buffer' : 'value';
}

function checkRecord(record: unknown): { key: string; value: unknown; contentType: string | undefined } {
  if (typeof record !== 'object' || record === null || !('key' in record) || !('value' in record)) {
    throw new StorageError(
      'STORAGE_INVALID_VALUE',
      'setRecord() takes an object { key, value, contentType? }.',
    );
  }
  const { key, value, contentType } = record as KeyValueStoreRecord;
  return { key: validateKey(key), value, contentType };
}

/** The new name of `update()`: a valid name, `null` (unnamed) or `undefined` (no change). */
function checkUpdate(fields: unknown): string | null | undefined {
  if (typeof fields !== 'object' || fields === null) checkOptions(fields, {}, 'update()');
  const { name, ...rest } = (fields ?? {}) as { name?: unknown };
  checkOptions(rest, {}, 'update()');
  if (name === undefined || name === null) return name;
  return validateName(name);
}

/** `update()`: renames the store under its lock (writes in flight finish first). */
async function renameKvs(access: StoreAccess, fields: UpdateOptions): Promise<KeyValueStoreInfo> {
  const name = checkUpdate(fields);
  return access.run('Renaming the key-value store', async (h) => {
    if (name === undefined) return storeInfo(h.location);
    const { storageDir } = access;
    const renamed = await h.lock.run(() => renameStore(storageDir, h.location, name, { fsync: h.fsync }));
    forgetRecordIndex(storageDir, renamed.id);
    access.location = renamed;
    return storeInfo(renamed);
  });
}

/** `delete()`: removes the store under its lock; a missing store is not an error. */
async function deleteKvs(access: StoreAccess): Promise<void> {
  try {
    const location = await access.find();
    if (!location) return;
    try {
      await access.handle(location).lock.run(() => deleteStore(access.storageDir, KVS_KIND, location.id));
    } finally {
      forgetRecordIndex(access.storageDir, location.id);
      access.location = undefined;
    }
  } catch (err) {
    throw toStorageError(err, 'Deleting the key-value store');
  }
}

/** `setRecord()`: checks and serialises at the door, then writes under the store lock. */
async function setKvsRecord(access: StoreAccess, record: KeyValueStoreRecord): Promise<void> {
  const { key, value, contentType } = checkRecord(record);
  const encoded = encodeValue(value, contentType);
  checkKeyFitsOnDisk(key, extensionFor(encoded.contentType));
  await access.run(`Writing record "${key}"`, (h) =>
    writeRecord(h, key, encoded.payload, encoded.contentType),
  );
}

/**
 * Creates the client of the store `idOrName` (an id, a name, or a folder a peer wrote). Nothing is
 * checked until a method is called; every method checks its input before touching the disk.
 */
export function createKeyValueStoreClient(ctx: FsContext, idOrName: string): FsKeyValueStoreClient {
  const access = new StoreAccess(ctx, idOrName);
  const readPage = async (options: ListKeysOptions): Promise<ListKeysResult> => {
    const query = parseListKeysOptions(options);
    return access.run('Listing keys', (h) => listKeysPage(h, query));
  };
  const readValue = (key: string) =>
    access.run(`Reading record "${key}"`, (h) => readRecord(h, key, 'value'));

  return {
    async get(): Promise<KeyValueStoreInfo | undefined> {
      try {
        const location = await access.find();
        return location && (await storeInfo(location));
      } catch (err) {
        throw toStorageError(err, 'Reading the key-value store');
      }
    },
    update: (fields) => renameKvs(access, fields),
    delete: () => deleteKvs(access),
    listKeys: (options) => pagedKeys(readPage, options),
    keys: (options) => pagedKeyNames(readPage, options),
    values: (options) => pagedRecords(readPage, readValue, (_key, value) => value, options),
    entries: (options) =>
      pagedRecords(readPage, readValue, (key, value): [string, unknown] => [key, value], options),
    async recordExists(key: string): Promise<boolean> {
      validateKey(key);
      return access.run('Checking a record', async (h) => {
        await h.index.ensureFresh();
        return h.index.entries.has(key);
      });
    },
    async getRecord(key: string, options?: GetRecordOptions): Promise<KeyValueStoreRecord | undefined> {
      validateKey(key);
      const mode = readMode(options);
      if (mode === 'value') return readValue(key);
      return access.run(`Reading record "${key}"`, (h) => readRecord(h, key, mode));
    },
    setRecord: (record) => setKvsRecord(access, record),
    async deleteRecord(key: string): Promise<void> {
      validateKey(key);
      await access.run(`Deleting record "${key}"`, (h) => deleteRecordFiles(h, key));
    },
    recordFileUrl(key: string): string {
      validateKey(key);
      const { storageDir, location } = access;
      const dir = location?.dir ?? join(kindDir(storageDir, KVS_KIND), validateIdOrName(idOrName));
      return pathToFileURL(join(dir, recordFileNameSync(storageDir, location, dir, key))).href;
    },
  };
}

/** Best effort, without awaiting: the sidecar, then the index, then the bare key. */
function recordFileNameSync(
  storageDir: string,
  location: StoreLocation | undefined,
  dir: string,
  key: string,
): string {
  try {
    const sidecar = parseSidecar(readFileSync(join(dir, sidecarFileName(key)), 'utf8'));
    if (sidecar) return candidateFiles(key, sidecar.contentType, sidecar.extension)[0] as string;
  } catch (err) {
    const missing = ['ENOENT', 'ENOTDIR', 'ENAMETOOLONG'].some((code) => isErrno(err, code));
    if (!missing) throw toStorageError(err, 'Reading a sidecar');
  }
  const entry = location && peekRecordIndex(storageDir, location.id)?.entries.get(key);
  return entry?.file ?? key;
}
