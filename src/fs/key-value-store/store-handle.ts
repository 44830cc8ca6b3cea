import { join } from 'node:path';
import { StorageError } from '../../errors.js';
import { readJson } from '../atomic-write.js';
import { METADATA_FILE } from '../layout.js';
import { type StoreLock, storeLock } from '../locks.js';
import { type StoreLocation, type StoreMetadata, writeStoreMetadata } from '../stores.js';
import { type RecordIndex, recordIndexFor } from './record-index.js';

/** Everything the record operations need about one store: where it is, its lock and its index. */
export interface StoreHandle {
  readonly storageDir: string;
  readonly location: StoreLocation;
  readonly lock: StoreLock;
  readonly index: RecordIndex;
  readonly fsync: boolean;
}

export const KVS_KIND = 'key_value_stores' as const;

/** The handle of a located store. */
export function storeHandle(storageDir: string, location: StoreLocation, fsync: boolean): StoreHandle {
  return {
    storageDir,
    location,
    lock: storeLock(storageDir, KVS_KIND, location.id, location.dir),
    index: recordIndexFor(storageDir, location.id, location.dir),
    fsync,
  };
}

/**
 * Thrown when the folder a client located now holds another store (it was deleted and created
 * again) or is gone: the client locates the store again and retries once.
 */
export function storeMoved(location: StoreLocation): StorageError {
  return new StorageError(
    'STORAGE_NOT_FOUND',
    `Key-value store "${location.name ?? location.id}" was deleted or moved.`,
    { details: { kind: KVS_KIND, id: location.id, moved: true } },
  );
}

/**
 * Run first in every write, under the store lock: proves, once per lock epoch, that the folder
 * still holds the store this handle was made for (it may have been deleted and created again).
 * @throws StorageError `STORAGE_NOT_FOUND` (with `details.moved`) when the folder holds another store.
 */
export async function prepareWrite(h: StoreHandle, epoch: number): Promise<void> {
  if (h.index.checkedEpoch === epoch) return;
  const meta = await readJson<StoreMetadata>(join(h.location.dir, METADATA_FILE));
  const id = meta.state === 'ok' && meta.value && typeof meta.value === 'object' ? meta.value.id : undefined;
  if (
    (typeof id === 'string' && id !== h.location.id) ||
    (meta.state === 'missing' && !h.location.synthesised)
  ) {
    throw storeMoved(h.location);
  }
  // A folder made by hand or by a peer without metadata gets its `__metadata__.json` on the first write.
  if (meta.state === 'missing') await writeStoreMetadata(h.location, h.location.metadata, { fsync: h.fsync });
  h.index.checkedEpoch = epoch;
}
