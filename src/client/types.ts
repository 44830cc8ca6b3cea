/**
 * The client interface: the shape of `apify-client`'s storage clients, a superset of the
 * `StorageClient` of `@crawlee/types` 3.x. The fs engine implements it (`createFsClient`), and
 * `apify-client` implements it over HTTP, so the storage classes run unchanged over either.
 */
import type { Readable } from 'node:stream';

export type Dictionary<T = unknown> = Record<string, T>;

/** Statistics kept with every storage. */
export interface StorageStats {
  readCount?: number;
  writeCount?: number;
  deleteCount?: number;
  listCount?: number;
  headItemReadCount?: number;
  storageBytes?: number;
}

/** Fields every storage has. Timestamps are `Date` objects, as apify-client returns them. */
export interface StorageInfoBase {
  id: string;
  /** `undefined` (or `null` over HTTP) for an unnamed storage. */
  name?: string;
  userId?: string;
  createdAt: Date;
  modifiedAt: Date;
  accessedAt: Date;
  actId?: string;
  actRunId?: string;
  stats?: StorageStats;
}

export interface DatasetInfo extends StorageInfoBase {
  itemCount: number;
  cleanItemCount?: number;
  fields?: string[] | null;
}

export type KeyValueStoreInfo = StorageInfoBase;

export interface RequestQueueInfo extends StorageInfoBase {
  totalRequestCount: number;
  handledRequestCount: number;
  pendingRequestCount: number;
  hadMultipleClients?: boolean;
}

/** Offset pagination, as collection lists and dataset items return it. */
/** A page that can also be iterated item by item over all pages: `await` it or `for await` it. */
export type PaginatedIterator<T> = Promise<PaginatedList<T>> & AsyncIterable<T>;

export interface PaginatedList<T> {
  total: number;
  offset: number;
  limit: number;
  count: number;
  desc?: boolean;
  items: T[];
}

/** Options of `datasets().list()` and the other collection lists. */
export interface CollectionListOptions {
  offset?: number;
  /** @default 1000 (also the maximum) */
  limit?: number;
  desc?: boolean;
  /** Include unnamed storages. @default false */
  unnamed?: boolean;
}

export interface CollectionClient<Info> {
  list(options?: CollectionListOptions): Promise<PaginatedList<Info>>;
  /** Opens the storage with this name, creating it if needed; without a name, creates a new unnamed one. */
  getOrCreate(name?: string): Promise<Info>;
}

export interface UpdateOptions {
  /** New name; `null` makes the storage unnamed. */
  name?: string | null;
}

// ---------------------------------------------------------------------------------------------
// Datasets

/** Every option of the dataset items endpoint (Apify API v2 §3.1). */
export interface DatasetListOptions {
  /** @default 0 */
  offset?: number;
  /** @default no limit */
  limit?: number;
  desc?: boolean;
  /** Keep only these fields, in this order. */
  fields?: string[];
  /** Positional renames of `fields`. */
  outputFields?: string[];
  omit?: string[];
  unwind?: string | string[];
  flatten?: string[];
  /** skipHidden + skipEmpty */
  clean?: boolean;
  skipEmpty?: boolean;
  skipHidden?: boolean;
  skipFailedPages?: boolean;
  /** fields=url,pageFunctionResult,errorInfo & unwind=pageFunctionResult */
  simplified?: boolean;
  /** Items fetched per page while iterating a `listItems()` result (as in apify-client). */
  chunkSize?: number;
}

export type ExportFormat = 'json' | 'jsonl' | 'csv' | 'xlsx' | 'xml' | 'rss' | 'html';

/** Options of `downloadItems()` and the exporters: the list options plus the format options. */
export interface DatasetDownloadOptions extends DatasetListOptions {
  bom?: boolean;
  delimiter?: string;
  skipHeaderRow?: boolean;
  xmlRoot?: string;
  xmlRow?: string;
  feedTitle?: string;
  feedDescription?: string;
  attachment?: boolean;
}

export interface DatasetClient<Data extends Dictionary = Dictionary> {
  get(): Promise<DatasetInfo | undefined>;
  update(fields: UpdateOptions): Promise<DatasetInfo>;
  delete(): Promise<void>;
  listItems(options?: DatasetListOptions): PaginatedIterator<Data>;
  pushItems(items: Data | Data[] | string | string[]): Promise<void>;
  downloadItems(format: ExportFormat, options?: DatasetDownloadOptions): Promise<Buffer>;
}

// ---------------------------------------------------------------------------------------------
// Key-value stores

export interface KeyValueStoreRecord<T = unknown> {
  key: string;
  value: T;
  contentType?: string;
}

export interface ListKeysOptions {
  /** @default 1000 (1–1000) */
  limit?: number;
  exclusiveStartKey?: string;
  prefix?: string;
  collection?: string;
}

export interface KeyValueStoreItemData {
  key: string;
  size: number;
  recordPublicUrl?: string;
}

export interface ListKeysResult {
  count: number;
  limit: number;
  exclusiveStartKey?: string;
  isTruncated: boolean;
  /** Missing on the last page (the HTTP server sends `null` there, as apify-client needs). */
  nextExclusiveStartKey?: string;
  items: KeyValueStoreItemData[];
}

export interface GetRecordOptions {
  /** Return the value as a Buffer, whatever its content type. */
  buffer?: boolean;
  /** Return the value as a Readable stream that never holds the whole record in memory. */
  stream?: boolean;
}

export interface KeyValueStoreClient {
  get(): Promise<KeyValueStoreInfo | undefined>;
  update(fields: UpdateOptions): Promise<KeyValueStoreInfo>;
  delete(): Promise<void>;
  listKeys(options?: ListKeysOptions): Promise<ListKeysResult>;
  recordExists(key: string): Promise<boolean>;
  getRecord(key: string, options?: GetRecordOptions): Promise<KeyValueStoreRecord | undefined>;
  setRecord(record: KeyValueStoreRecord<unknown | Readable | Buffer>): Promise<void>;
  deleteRecord(key: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Request queues

export type HttpMethod =
  | 'GET'
  | 'HEAD'
  | 'POST'
  | 'PUT'
  | 'DELETE'
  | 'TRACE'
  | 'OPTIONS'
  | 'CONNECT'
  | 'PATCH';

/** A request as stored in a queue. */
export interface RequestSchema {
  id?: string;
  url: string;
  uniqueKey: string;
  method?: HttpMethod;
  payload?: string;
  noRetry?: boolean;
  retryCount?: number;
  errorMessages?: string[];
  headers?: Dictionary<string>;
  userData?: Dictionary;
  handledAt?: string;
  loadedUrl?: string;
}

export interface UpdateRequestSchema extends RequestSchema {
  id: string;
}

/** A request read back from a queue: it always has its id, and keeps any extra fields it was given. */
export type StoredRequest = UpdateRequestSchema & Dictionary;

export interface QueueOperationInfo {
  requestId: string;
  wasAlreadyPresent: boolean;
  wasAlreadyHandled: boolean;
}

export interface ProcessedRequest extends QueueOperationInfo {
  uniqueKey: string;
}

export interface UnprocessedRequest {
  uniqueKey: string;
  url: string;
  method?: HttpMethod;
}

export interface BatchAddRequestsResult {
  processedRequests: ProcessedRequest[];
  unprocessedRequests: UnprocessedRequest[];
}

export interface RequestQueueHeadItem {
  id: string;
  uniqueKey: string;
  url: string;
  method: HttpMethod;
  retryCount: number;
  lockExpiresAt?: Date;
}

export interface QueueHead {
  limit: number;
  queueModifiedAt: Date;
  hadMultipleClients?: boolean;
  items: RequestQueueHeadItem[];
}

export interface ListAndLockHeadResult extends QueueHead {
  lockSecs: number;
  queueHasLockedRequests?: boolean;
  clientKey?: string;
}

export interface ListRequestsOptions {
  /** @default 100, max 10000 */
  limit?: number;
  cursor?: string;
  exclusiveStartId?: string;
  filter?: Array<'locked' | 'pending'>;
}

export interface ListRequestsResult {
  items: RequestSchema[];
  limit: number;
  cursor?: string;
  nextCursor?: string | null;
  exclusiveStartId?: string;
}

export interface RequestQueueClientOptions {
  /** Identifies the consumer; 1–32 characters. @default a random key per client */
  clientKey?: string;
  timeoutSecs?: number;
}

export interface RequestQueueClient {
  get(): Promise<RequestQueueInfo | undefined>;
  update(fields: UpdateOptions): Promise<RequestQueueInfo>;
  delete(): Promise<void>;
  addRequest(request: RequestSchema, options?: { forefront?: boolean }): Promise<QueueOperationInfo>;
  batchAddRequests(
    requests: RequestSchema[],
    options?: { forefront?: boolean },
  ): Promise<BatchAddRequestsResult>;
  getRequest(id: string): Promise<StoredRequest | undefined>;
  updateRequest(request: UpdateRequestSchema, options?: { forefront?: boolean }): Promise<QueueOperationInfo>;
  deleteRequest(id: string): Promise<void>;
  batchDeleteRequests(requests: Array<{ id?: string; uniqueKey?: string }>): Promise<BatchAddRequestsResult>;
  listHead(options?: { limit?: number }): Promise<QueueHead>;
  listAndLockHead(options: { lockSecs: number; limit?: number }): Promise<ListAndLockHeadResult>;
  prolongRequestLock(
    id: string,
    options: { lockSecs: number; forefront?: boolean },
  ): Promise<{ lockExpiresAt: Date }>;
  deleteRequestLock(id: string, options?: { forefront?: boolean }): Promise<void>;
  unlockRequests(): Promise<{ unlockedCount: number }>;
  listRequests(options?: ListRequestsOptions): Promise<ListRequestsResult>;
}

// ---------------------------------------------------------------------------------------------

/** The whole client: what `createFsClient()` returns and what `new ApifyClient()` also satisfies. */
export interface StorageClient {
  datasets(): CollectionClient<DatasetInfo>;
  dataset(id: string): DatasetClient;
  keyValueStores(): CollectionClient<KeyValueStoreInfo>;
  keyValueStore(id: string): KeyValueStoreClient;
  requestQueues(): CollectionClient<RequestQueueInfo>;
  requestQueue(id: string, options?: RequestQueueClientOptions): RequestQueueClient;
  /** Empties the default storages (INPUT kept). Crawlee calls it on start when purging is on. */
  purge?(): Promise<void>;
  /** Flushes pending metadata and releases locks. */
  teardown?(): Promise<void>;
}
