import type { StorageClient, StorageInfoBase } from '../client/types.js';
import type { StorageOptions } from '../config.js';
import { StorageError } from '../errors.js';
import { createFsClient } from '../fs/index.js';
import { DEFAULT_STORE } from '../fs/layout.js';

/** Options of `Dataset.open()`, `KeyValueStore.open()` and `RequestQueue.open()`. */
export interface OpenStorageOptions extends StorageOptions {
  /**
   * The client to open the storage with: any object of the Apify client shape, such as
   * `createFsClient()` (the default, over `storageDir`) or an `ApifyClient` pointed at the
   * platform or at `actor-storage serve`.
   */
  client?: StorageClient;
}

type Kind = 'dataset' | 'keyValueStore' | 'requestQueue';

const clients = new Map<string, StorageClient>();

/** The client for these options: the given one, or one fs client per storage folder and options. */
export function clientFor(options: OpenStorageOptions = {}): StorageClient {
  const { client, ...storageOptions } = options;
  if (client) {
    if (Object.values(storageOptions).some((v) => v !== undefined)) {
      throw new StorageError(
        'STORAGE_INVALID_OPTION',
        'Pass either "client" or storage options (storageDir, purgeOnStart, fsync), not both.',
      );
    }
    return client;
  }
  const key = JSON.stringify([
    storageOptions.storageDir ?? null,
    storageOptions.purgeOnStart ?? null,
    storageOptions.fsync ?? null,
  ]);
  let cached = clients.get(key);
  if (!cached) {
    cached = createFsClient(storageOptions);
    clients.set(key, cached);
  }
  return cached;
}

/**
 * Opens a storage by id or name, creating a named one when it does not exist, as Crawlee does:
 * first `client.<kind>(idOrName).get()`, then `client.<kinds>().getOrCreate(name)`.
 * Without `nameOrId`, opens the run's default storage.
 */
export async function openStorage<Info extends StorageInfoBase>(
  kind: Kind,
  nameOrId: string | undefined,
  options: OpenStorageOptions = {},
): Promise<{ client: StorageClient; info: Info }> {
  const client = clientFor(options);
  const idOrName = nameOrId ?? DEFAULT_STORE;
  if (typeof idOrName !== 'string' || idOrName === '') {
    throw new StorageError('STORAGE_INVALID_NAME', 'A storage name or id must be a non-empty string.');
  }
  const single =
    kind === 'dataset'
      ? client.dataset(idOrName)
      : kind === 'keyValueStore'
        ? client.keyValueStore(idOrName)
        : client.requestQueue(idOrName);
  const existing = (await single.get()) as Info | undefined;
  if (existing) return { client, info: existing };
  const collection =
    kind === 'dataset'
      ? client.datasets()
      : kind === 'keyValueStore'
        ? client.keyValueStores()
        : client.requestQueues();
  const created = (await collection.getOrCreate(idOrName)) as Info;
  return { client, info: created };
}
