import type { CollectionClient, DatasetClient, DatasetInfo } from '../client/types.js';
import type { FsContext } from './context.js';

export function createDatasetCollectionClient(_ctx: FsContext): CollectionClient<DatasetInfo> {
  throw new Error('not implemented yet');
}

export function createDatasetClient(_ctx: FsContext, _id: string): DatasetClient {
  throw new Error('not implemented yet');
}
