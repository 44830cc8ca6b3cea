import type { CollectionClient, KeyValueStoreClient, KeyValueStoreInfo } from '../client/types.js';
import type { FsContext } from './context.js';

export function createKeyValueStoreCollectionClient(_ctx: FsContext): CollectionClient<KeyValueStoreInfo> {
  throw new Error('not implemented yet');
}

export function createKeyValueStoreClient(_ctx: FsContext, _id: string): KeyValueStoreClient {
  throw new Error('not implemented yet');
}
