export type * from './client/types.js';
export { envFlag, type ResolvedConfig, resolveConfig, type StorageOptions } from './config.js';
export { ERROR_TABLE, type ErrorCode, isStorageError, StorageError } from './errors.js';
export { createFsClient, type FsClient } from './fs/index.js';
export { type ActorStorageServer, createServer, type ServerOptions } from './server/index.js';
export {
  type ForEachKeyOptions,
  type KeyConsumer,
  KeyValueStore,
  type SetValueOptions,
} from './storages/key-value-store.js';
