/**
 * The engines under test, behind one small client shape: actor-storage's fs engine and its two
 * peers, @crawlee/memory-storage 3.x (persisting to disk, its default) and @apify/storage-local 2.x.
 * Each is opened on a storage folder; `flush()` returns once everything written is on disk.
 */
import { createRequire } from 'node:module';

/** Names of the engines, as the runner and the report spell them. */
export type EngineName = 'ours' | 'memory-storage' | 'storage-local';

export const ENGINES: readonly EngineName[] = ['ours', 'memory-storage', 'storage-local'];

/** Labels in the report. */
export const ENGINE_LABEL: Readonly<Record<EngineName, string>> = {
  ours: 'actor-storage',
  'memory-storage': '@crawlee/memory-storage',
  'storage-local': '@apify/storage-local',
};

type Dict = Record<string, unknown>;

/** A request as the benchmarks add it. */
export interface BenchRequest {
  url: string;
  uniqueKey: string;
  method?: string;
  id?: string;
  handledAt?: string | Date;
  [key: string]: unknown;
}

/** The part of the Apify client shape the benchmarks use; every engine has it. */
export interface BenchClient {
  datasets(): { getOrCreate(name?: string): Promise<{ id: string }> };
  dataset(id: string): {
    get(): Promise<{ itemCount: number } | undefined>;
    pushItems(items: Dict | Dict[]): Promise<void>;
    listItems(options?: { offset?: number; limit?: number }): Promise<{ items: Dict[]; total: number }>;
  };
  keyValueStores(): { getOrCreate(name?: string): Promise<{ id: string }> };
  keyValueStore(id: string): {
    setRecord(record: { key: string; value: unknown; contentType?: string }): Promise<void>;
    getRecord(key: string): Promise<{ key: string; value: unknown } | undefined>;
    listKeys(options?: { exclusiveStartKey?: string; limit?: number }): Promise<{
      items: Array<{ key: string; size: number }>;
      isTruncated: boolean;
      nextExclusiveStartKey?: string;
    }>;
  };
  requestQueues(): { getOrCreate(name?: string): Promise<{ id: string }> };
  requestQueue(
    id: string,
    options?: { clientKey?: string },
  ): {
    get(): Promise<{ totalRequestCount: number; handledRequestCount: number } | undefined>;
    addRequest(request: BenchRequest): Promise<{ requestId: string; wasAlreadyPresent: boolean }>;
    batchAddRequests(requests: BenchRequest[]): Promise<{
      processedRequests: Array<{ requestId: string; wasAlreadyPresent: boolean }>;
      unprocessedRequests: unknown[];
    }>;
    getRequest(id: string): Promise<BenchRequest | undefined>;
    updateRequest(request: BenchRequest): Promise<unknown>;
    listHead(options?: { limit?: number }): Promise<{ items: Array<{ id: string; url: string }> }>;
    listAndLockHead(options: {
      lockSecs: number;
      limit?: number;
    }): Promise<{ items: Array<{ id: string; url: string }> }>;
  };
}

/** An engine opened on a storage folder. */
export interface OpenEngine {
  client: BenchClient;
  /** Resolves once every write is on disk and the engine let go of its files. */
  flush(): Promise<void>;
}

interface StorageLocalModule {
  ApifyStorageLocal: new (options: {
    storageDir: string;
  }) => BenchClient & { dbConnections: { closeAllConnections(): void } };
}

/**
 * Loads an engine's code without opening anything, so that the timed part of a workload does not
 * include module loading (a user's process pays it once, at start-up).
 */
export async function preloadEngine(engine: string): Promise<void> {
  if (engine === 'ours') await import('../src/index.js');
  else if (engine === 'memory-storage') await import('@crawlee/memory-storage');
  else if (engine === 'storage-local') createRequire(import.meta.url)('@apify/storage-local');
}

/**
 * Opens `engine` on the storage folder `dir`. Each engine's code is loaded only when it is opened,
 * so that a process measures the memory of its own engine alone.
 */
export async function openEngine(engine: EngineName, dir: string): Promise<OpenEngine> {
  switch (engine) {
    case 'ours': {
      const { createFsClient } = await import('../src/index.js');
      const client = createFsClient({ storageDir: dir });
      return { client: client as unknown as BenchClient, flush: () => client.teardown() };
    }
    case 'memory-storage': {
      // Its default: persist to disk, in the background; teardown() waits for those writes.
      const { MemoryStorage } = await import('@crawlee/memory-storage');
      const client = new MemoryStorage({ localDataDirectory: dir });
      return { client: client as unknown as BenchClient, flush: () => client.teardown() };
    }
    case 'storage-local': {
      const { ApifyStorageLocal } = createRequire(import.meta.url)(
        '@apify/storage-local',
      ) as StorageLocalModule;
      const client = new ApifyStorageLocal({ storageDir: dir });
      return {
        client,
        flush: async () => client.dbConnections.closeAllConnections(),
      };
    }
  }
}
