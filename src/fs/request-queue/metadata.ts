import { join } from 'node:path';
import type { RequestQueueInfo } from '../../client/types.js';
import { readJson, writeJsonAtomic } from '../atomic-write.js';
import { METADATA_FILE } from '../layout.js';
import type { StoreMetadata } from '../stores.js';
import type { QueueIndex } from './queue-index.js';

/** Fields of a queue's `__metadata__.json` that the index owns. */
function counts(index: QueueIndex) {
  return {
    totalRequestCount: index.totalCount,
    handledRequestCount: index.handledCount,
    pendingRequestCount: index.pendingCount,
    hadMultipleClients: index.hadMultipleClients,
  };
}

/** Reads the queue's metadata; `fallback` when it is missing or unreadable. */
export async function readQueueMetadata(dir: string, fallback: StoreMetadata): Promise<StoreMetadata> {
  const read = await readJson<StoreMetadata>(join(dir, METADATA_FILE));
  return read.state === 'ok' && read.value && typeof read.value.id === 'string' ? read.value : fallback;
}

/**
 * Rewrites `__metadata__.json` with the index's counts. Reads it first, so that a rename by
 * another process (done under the same store lock) is never undone. Fields other tools keep
 * there survive, except memory-storage's `forefrontRequestIds`, which the order makes needless.
 */
export async function writeQueueMetadata(
  dir: string,
  index: QueueIndex,
  fallback: StoreMetadata,
  options: { fsync: boolean },
): Promise<StoreMetadata> {
  const current = await readQueueMetadata(dir, fallback);
  const { forefrontRequestIds: _dropped, ...rest } = current;
  const known = Date.parse(String(current.modifiedAt)) || 0;
  const metadata: StoreMetadata = {
    ...rest,
    ...counts(index),
    // The time of the last change the index knows of: a later time here means another tool wrote.
    modifiedAt: new Date(Math.max(known, index.modifiedAt)).toISOString(),
    accessedAt: new Date().toISOString(),
  };
  if (metadata.stats === undefined) metadata.stats = {};
  await writeJsonAtomic(join(dir, METADATA_FILE), metadata, { fsync: options.fsync });
  return metadata;
}

/** The queue's info as clients return it: metadata timestamps, counts from the index. */
export function toQueueInfo(metadata: StoreMetadata, index: QueueIndex, accessedAt: Date): RequestQueueInfo {
  const modified = Math.max(Date.parse(String(metadata.modifiedAt)) || 0, index.modifiedAt);
  const info: RequestQueueInfo = {
    id: metadata.id,
    createdAt: new Date(String(metadata.createdAt)),
    modifiedAt: new Date(modified || Date.now()),
    accessedAt,
    ...counts(index),
    stats: (metadata.stats as RequestQueueInfo['stats']) ?? {},
  };
  if (typeof metadata.name === 'string' && metadata.name !== '') info.name = metadata.name;
  if (typeof metadata.userId === 'string') info.userId = metadata.userId;
  return info;
}
