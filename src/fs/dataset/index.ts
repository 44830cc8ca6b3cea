/**
 * Datasets of the fs engine: one JSON file per item (`000000001.json` …) and `__metadata__.json`,
 * the layout @crawlee/memory-storage and @apify/storage-local use.
 */
import type { DatasetClient } from '../../client/types.js';
import type { FsContext } from '../context.js';
import { createDatasetCollectionClient } from './collection.js';
import { downloadItems } from './download.js';
import { deleteDataset, getDataset, updateDataset } from './info.js';
import { pushItems } from './push.js';
import { type ItemStream, iterateItems, listItems } from './read.js';

export { EXPORT_FORMATS } from './download.js';
export { DEFAULT_CHUNK, type ItemStream, iterateItems, openItemStream } from './read.js';
export { checkItem, MAX_ITEM_BYTES } from './validate-items.js';

/** The dataset client of the fs engine: the client interface plus a streaming read. */
export interface FsDatasetClient extends DatasetClient {
  /**
   * Streams the transformed items of a range without holding the dataset in memory, with the
   * pagination facts (total, offset, limit, count, desc). Takes the options of `listItems`.
   * @throws StorageError `STORAGE_INVALID_OPTION`, `STORAGE_NOT_FOUND`
   */
  iterateItems(options?: Parameters<DatasetClient['listItems']>[0]): Promise<ItemStream>;
}

export { createDatasetCollectionClient };

/** The `dataset(idOrName)` client of the fs engine. Nothing is read until a method is called. */
export function createDatasetClient(ctx: FsContext, idOrName: string): FsDatasetClient {
  return {
    get: () => getDataset(ctx, idOrName),
    update: (fields) => updateDataset(ctx, idOrName, fields),
    delete: () => deleteDataset(ctx, idOrName),
    listItems: (options) => listItems(ctx, idOrName, options),
    pushItems: (items) => pushItems(ctx, idOrName, items),
    downloadItems: (format, options) => downloadItems(ctx, idOrName, format, options),
    iterateItems: (options) => iterateItems(ctx, idOrName, options),
  };
}
