import type {
  CollectionClient,
  RequestQueueClient,
  RequestQueueClientOptions,
  RequestQueueInfo,
} from '../../client/types.js';
import type { FsContext } from '../context.js';

export function createRequestQueueCollectionClient(_ctx: FsContext): CollectionClient<RequestQueueInfo> {
  throw new Error('not implemented yet');
}

export function createRequestQueueClient(
  _ctx: FsContext,
  _id: string,
  _options?: RequestQueueClientOptions,
): RequestQueueClient {
  throw new Error('not implemented yet');
}
