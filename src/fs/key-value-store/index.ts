/**
 * Key-value stores over the filesystem: records in `key_value_stores/<name-or-id>/<key>.<ext>`
 * with a `<key>.__metadata__.json` sidecar, readable by and from @crawlee/memory-storage and
 * @apify/storage-local.
 */
export { createKeyValueStoreClient, type FsKeyValueStoreClient } from './client.js';
export { createKeyValueStoreCollectionClient, storeInfo } from './collection.js';
export { emptyKeyValueStore } from './empty-store.js';
export { forgetRecordIndex, peekRecordIndex } from './record-index.js';
