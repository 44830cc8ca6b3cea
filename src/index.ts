export type * from './client/types.js';
export { envFlag, type ResolvedConfig, resolveConfig, type StorageOptions } from './config.js';
export { ERROR_TABLE, type ErrorCode, isStorageError, StorageError } from './errors.js';
export {
  EXPORT_CONTENT_TYPES,
  EXPORT_FILE_EXTENSIONS,
  EXPORT_FORMATS,
  type ExportFileResult,
  type ExportOptions,
  exportStream,
  exportToFile,
  type ItemSource,
  isExportFormat,
  MAX_COLUMN_NAME,
  MAX_COLUMNS,
  XLSX_MAX_CELL_CHARS,
  XLSX_MAX_ROWS,
} from './export/index.js';
export { createFsClient, type FsClient } from './fs/index.js';
export type { FsKeyValueStoreClient } from './fs/key-value-store/index.js';
export { computeUniqueKey, normalizeUrl } from './fs/request-queue/index.js';
export { type ActorStorageServer, createServer, type ServerOptions } from './server/index.js';
export {
  Dataset,
  type DatasetItem,
  type DatasetIteratorOptions,
  PUSH_CHUNK_BYTES,
} from './storages/dataset.js';
export { DEFAULT_RETENTION, parseDuration } from './storages/duration.js';
export {
  type ForEachKeyOptions,
  type KeyConsumer,
  KeyValueStore,
  type SetValueOptions,
} from './storages/key-value-store.js';
export {
  type RequestLike,
  type RequestOptions,
  RequestQueue,
  type RequestQueueOpenOptions,
  type RequestQueueOperationInfo,
} from './storages/request-queue.js';
export {
  type DoctorOptions,
  type DoctorProblem,
  type DoctorProblemKind,
  type DoctorReport,
  type GcEntry,
  type GcKeepReason,
  type GcOptions,
  type GcResult,
  type PurgeOptions,
  type PurgeResult,
  Storage,
  type StorageDirOptions,
  type StorageListOptions,
} from './storages/storage.js';
export {
  parseStorageType,
  STORAGE_TYPES,
  type StorageCounts,
  type StorageSummary,
  type StorageType,
} from './storages/storage-summary.js';
