import type { CollectionClient, CollectionListOptions, RequestQueueInfo } from '../../client/types.js';
import { StorageError, toStorageError } from '../../errors.js';
import type { FsContext } from '../context.js';
import { getOrCreateStore, listStores, type StoreLocation } from '../stores.js';
import { createRequestQueueClient } from './client.js';
import { existingEngine } from './registry.js';

/** Counts a new queue starts with in `__metadata__.json`. */
const INITIAL_COUNTS = {
  totalRequestCount: 0,
  handledRequestCount: 0,
  pendingRequestCount: 0,
  hadMultipleClients: false,
  stats: {},
};

const MAX_LIST = 1000;

function whole(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new StorageError(
      'STORAGE_INVALID_OPTION',
      `Option "${name}" must be a whole number of at least 0.`,
      {
        details: { option: name },
      },
    );
  }
  return value;
}

/**
 * Info from a queue's metadata (the list does not open every queue); counts from this process's
 * index when it has the queue open, since the metadata file may lag behind by a moment.
 */
function infoFromMetadata(storageDir: string, location: StoreLocation): RequestQueueInfo {
  const m = location.metadata;
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const index = existingEngine(storageDir, location.id)?.peek();
  const info: RequestQueueInfo = {
    id: location.id,
    createdAt: new Date(String(m.createdAt)),
    modifiedAt: new Date(Math.max(Date.parse(String(m.modifiedAt)) || 0, index?.modifiedAt ?? 0)),
    accessedAt: new Date(String(m.accessedAt)),
    totalRequestCount: index?.totalCount ?? num(m.totalRequestCount),
    handledRequestCount: index?.handledCount ?? num(m.handledRequestCount),
    pendingRequestCount: index?.pendingCount ?? num(m.pendingRequestCount),
    hadMultipleClients: index?.hadMultipleClients ?? m.hadMultipleClients === true,
    stats: (m.stats as RequestQueueInfo['stats']) ?? {},
  };
  if (location.name !== undefined) info.name = location.name;
  if (typeof m.userId === 'string') info.userId = m.userId;
  return info;
}

/**
 * `requestQueues()`: lists queues and opens (or creates) one by name.
 *
 * @example
 * const { id } = await client.requestQueues().getOrCreate('links');
 */
export function createRequestQueueCollectionClient(ctx: FsContext): CollectionClient<RequestQueueInfo> {
  const { storageDir, fsync } = ctx.config;
  return {
    async list(options: CollectionListOptions = {}) {
      const offset = whole(options.offset, 'offset', 0);
      const limit = Math.min(whole(options.limit, 'limit', MAX_LIST), MAX_LIST);
      await ctx.ready;
      let stores: StoreLocation[];
      try {
        stores = await listStores(storageDir, 'request_queues');
      } catch (err) {
        throw toStorageError(err, 'Listing request queues');
      }
      if (!options.unnamed) stores = stores.filter((s) => s.name !== undefined);
      if (options.desc) stores.reverse();
      const items = stores.slice(offset, offset + limit).map((s) => infoFromMetadata(storageDir, s));
      return { total: stores.length, offset, limit, count: items.length, desc: options.desc === true, items };
    },

    async getOrCreate(name?: string) {
      await ctx.ready;
      let location: StoreLocation;
      try {
        ({ location } = await getOrCreateStore(storageDir, 'request_queues', name, INITIAL_COUNTS, {
          fsync,
        }));
      } catch (err) {
        throw toStorageError(err, 'Creating a request queue');
      }
      const info = await createRequestQueueClient(ctx, location.name ?? location.id).get();
      if (!info)
        throw new StorageError('STORAGE_NOT_FOUND', `Request queue "${name ?? location.id}" vanished.`);
      return info;
    },
  };
}
