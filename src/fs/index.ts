import type { StorageClient } from '../client/types.js';
import { resolveConfig, type StorageOptions } from '../config.js';
import type { FsContext } from './context.js';
import { createDatasetClient, createDatasetCollectionClient, type FsDatasetClient } from './dataset/index.js';
import {
  createKeyValueStoreClient,
  createKeyValueStoreCollectionClient,
  type FsKeyValueStoreClient,
} from './key-value-store/index.js';
import { releaseIdleLocks } from './locks.js';
import { purgeDefaultStorages } from './purge.js';
import {
  createRequestQueueClient,
  createRequestQueueCollectionClient,
  flushQueueMetadata,
} from './request-queue/index.js';

/** The fs engine's client: the Apify client shape over a storage folder. */
export interface FsClient extends StorageClient {
  /** The absolute storage folder this client reads and writes. */
  readonly storageDir: string;
  /** The dataset client, with `iterateItems()` for streaming reads (exports, server, CLI). */
  dataset(id: string): FsDatasetClient;
  /** The key-value store client, iterable `listKeys()`, `keys/values/entries()` and `recordFileUrl()`. */
  keyValueStore(id: string): FsKeyValueStoreClient;
  purge(): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * Creates a client over a storage folder. It satisfies the `StorageClient` of `@crawlee/types`
 * (pass it to `new Configuration({ storageClient })`) and the storage clients of `apify-client`.
 *
 * @example
 * const client = createFsClient({ storageDir: './apify_storage' });
 * const { id } = await client.datasets().getOrCreate('products');
 * await client.dataset(id).pushItems([{ title: 'Lamp' }]);
 * @throws StorageError `STORAGE_INVALID_OPTION` for an unknown option.
 */
export function createFsClient(options: StorageOptions = {}): FsClient {
  const config = resolveConfig(options);
  const base = { config, ready: Promise.resolve() };
  const ctx: FsContext = config.purgeOnStart ? { config, ready: purgeDefaultStorages(base) } : base;
  return {
    storageDir: config.storageDir,
    datasets: () => createDatasetCollectionClient(ctx),
    dataset: (id) => createDatasetClient(ctx, id),
    keyValueStores: () => createKeyValueStoreCollectionClient(ctx),
    keyValueStore: (id) => createKeyValueStoreClient(ctx, id),
    requestQueues: () => createRequestQueueCollectionClient(ctx),
    requestQueue: (id, queueOptions) => createRequestQueueClient(ctx, id, queueOptions),
    purge: async () => {
      await ctx.ready;
      await purgeDefaultStorages(ctx);
    },
    teardown: async () => {
      await ctx.ready;
      await flushQueueMetadata();
      await releaseIdleLocks();
    },
  };
}
