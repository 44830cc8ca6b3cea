/** Storage types as users name them, and the summary of one storage that `Storage` returns. */
import type {
  DatasetInfo,
  KeyValueStoreClient,
  KeyValueStoreInfo,
  RequestQueueInfo,
} from '../client/types.js';
import { StorageError } from '../errors.js';
import { folderBytes, isDefaultStore, lastModified } from '../fs/gc.js';
import type { FsClient } from '../fs/index.js';
import type { StoreKind } from '../fs/layout.js';
import type { StoreLocation } from '../fs/stores.js';

/** The three kinds of storage. */
export type StorageType = 'dataset' | 'keyValueStore' | 'requestQueue';

/** Every storage type, in listing order. */
export const STORAGE_TYPES: readonly StorageType[] = ['dataset', 'keyValueStore', 'requestQueue'];

/** The folder of each type under the storage dir. */
export const STORE_KIND_OF: Readonly<Record<StorageType, StoreKind>> = {
  dataset: 'datasets',
  keyValueStore: 'key_value_stores',
  requestQueue: 'request_queues',
};

/** Human names of the types, for messages. */
export const STORAGE_TYPE_LABEL: Readonly<Record<StorageType, string>> = {
  dataset: 'dataset',
  keyValueStore: 'key-value store',
  requestQueue: 'request queue',
};

const ALIASES: Readonly<Record<string, StorageType>> = {
  dataset: 'dataset',
  datasets: 'dataset',
  kvs: 'keyValueStore',
  'key-value-store': 'keyValueStore',
  'key-value-stores': 'keyValueStore',
  keyvaluestore: 'keyValueStore',
  keyvaluestores: 'keyValueStore',
  queue: 'requestQueue',
  queues: 'requestQueue',
  'request-queue': 'requestQueue',
  'request-queues': 'requestQueue',
  requestqueue: 'requestQueue',
  requestqueues: 'requestQueue',
};

/**
 * Reads a storage type as users write it: `dataset(s)`, `kvs`, `key-value-store(s)`, `queue(s)`,
 * `request-queue(s)` (any case), or a {@link StorageType}.
 * @throws StorageError `STORAGE_INVALID_OPTION` for anything else.
 */
export function parseStorageType(text: unknown): StorageType {
  const type = typeof text === 'string' ? ALIASES[text.trim().toLowerCase()] : undefined;
  if (type === undefined) {
    throw new StorageError(
      'STORAGE_INVALID_OPTION',
      `Unknown storage type ${JSON.stringify(text)}: use dataset, kvs (key-value-store) or queue (request-queue).`,
      { details: { type: text } },
    );
  }
  return type;
}

/** Counts shown for a storage, by type. */
export type StorageCounts =
  | { items: number; cleanItems: number }
  | { records: number }
  | { total: number; handled: number; pending: number };

/** One storage of a storage folder, as `Storage.list()` and `storage.getInfo()` report it. */
export interface StorageSummary {
  type: StorageType;
  id: string;
  /** `undefined` for an unnamed storage. */
  name: string | undefined;
  createdAt: Date;
  modifiedAt: Date;
  accessedAt: Date;
  counts: StorageCounts;
  /** Bytes of the storage's files on disk. */
  bytes: number;
  /** Absolute path of the storage's folder. */
  dir: string;
  /** When `gc` may remove it: unnamed, non-default storages only. */
  expiresAt: Date | undefined;
  /** The client's info object (Apify API shape). */
  info: DatasetInfo | KeyValueStoreInfo | RequestQueueInfo;
}

/** Records of a key-value store (those whose key passes `filter`), counted page by page; no value is read. */
export async function countRecords(
  client: KeyValueStoreClient,
  filter: (key: string) => boolean = () => true,
): Promise<number> {
  let count = 0;
  let exclusiveStartKey: string | undefined;
  for (;;) {
    const page = await client.listKeys({ limit: 1000, exclusiveStartKey });
    for (const item of page.items) if (filter(item.key)) count += 1;
    if (!page.isTruncated || page.nextExclusiveStartKey === undefined) return count;
    exclusiveStartKey = page.nextExclusiveStartKey;
  }
}

async function infoAndCounts(
  client: FsClient,
  type: StorageType,
  ref: string,
): Promise<{ info: StorageSummary['info']; counts: StorageCounts } | undefined> {
  if (type === 'dataset') {
    const info = await client.dataset(ref).get();
    return info && { info, counts: { items: info.itemCount, cleanItems: info.cleanItemCount ?? 0 } };
  }
  if (type === 'keyValueStore') {
    const store = client.keyValueStore(ref);
    const info = await store.get();
    return info && { info, counts: { records: await countRecords(store) } };
  }
  const info = await client.requestQueue(ref).get();
  return (
    info && {
      info,
      counts: {
        total: info.totalRequestCount,
        handled: info.handledRequestCount,
        pending: info.pendingRequestCount,
      },
    }
  );
}

/**
 * The summary of the storage at `location`, through the client (so that counts are the engine's,
 * repaired if needed); `undefined` when it vanished meanwhile.
 */
export async function summarise(
  client: FsClient,
  type: StorageType,
  location: StoreLocation,
  retentionMs: number,
): Promise<StorageSummary | undefined> {
  const found = await infoAndCounts(client, type, location.name ?? location.id);
  if (!found) return undefined;
  const { info, counts } = found;
  const named = info.name !== undefined && info.name !== null;
  const expires = !named && !isDefaultStore(location);
  const modified = Math.max(info.modifiedAt.getTime(), (await lastModified(location)).getTime());
  return {
    type,
    id: info.id,
    name: named ? info.name : undefined,
    createdAt: info.createdAt,
    modifiedAt: info.modifiedAt,
    accessedAt: info.accessedAt,
    counts,
    bytes: await folderBytes(location.dir),
    dir: location.dir,
    expiresAt: expires ? new Date(modified + retentionMs) : undefined,
    info,
  };
}
