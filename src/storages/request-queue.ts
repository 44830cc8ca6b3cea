import type {
  BatchAddRequestsResult,
  QueueOperationInfo,
  RequestQueueClient,
  RequestQueueInfo,
  RequestSchema,
  StorageClient,
  StoredRequest,
} from '../client/types.js';
import { StorageError } from '../errors.js';
import { type OpenStorageOptions, openStorage } from './open.js';
import { LocalHead } from './request-queue-head.js';
import { type RequestLike, toRequestBody, toUpdateBody } from './request-queue-input.js';

export type { RequestLike, RequestOptions } from './request-queue-input.js';

/** Options of {@link RequestQueue.open}. */
export interface RequestQueueOpenOptions extends OpenStorageOptions {
  /**
   * Identifies this consumer. Locks belong to a client key; reopening a queue with the key a
   * stopped process used offers what it had locked again at once.
   * @default a random key per queue instance
   */
  clientKey?: string;
  /** How long fetched requests stay locked before other consumers get them. @default 180 */
  lockSecs?: number;
}

/** What adding a request reports: the client's answer plus the unique key and forefront flag. */
export interface RequestQueueOperationInfo extends QueueOperationInfo {
  uniqueKey: string;
  forefront: boolean;
}

/** How many requests one `batchAddRequests` call takes. */
const BATCH = 25;

const instances = new WeakMap<StorageClient, Map<string, RequestQueue>>();

function checkLockSecs(value: unknown): number {
  if (value === undefined) return 180;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new StorageError(
      'STORAGE_INVALID_OPTION',
      'Option "lockSecs" must be a number of seconds above 0.',
    );
  }
  return value;
}

/**
 * A queue of URLs to crawl, with the semantics crawler authors know from Crawlee's
 * `RequestQueue`: unique keys deduplicate, `forefront` requests go first, `fetchNextRequest`
 * locks what it hands out, `markRequestHandled` and `reclaimRequest` finish or return it.
 *
 * @example
 * const queue = await RequestQueue.open();
 * await queue.addRequests(['https://example.com/a', 'https://example.com/b']);
 * let request;
 * while ((request = await queue.fetchNextRequest())) {
 *   // … process request.url …
 *   await queue.markRequestHandled(request);
 * }
 */
export class RequestQueue {
  /** The queue's id. */
  readonly id: string;
  /** The queue's name; `undefined` when unnamed. The run's default queue is named `default`. */
  readonly name: string | undefined;
  /** The client of this queue (the Apify client shape), bound to {@link clientKey}. */
  readonly client: RequestQueueClient;
  /** The key this instance locks requests under. */
  readonly clientKey: string | undefined;
  /** Requests locked for this instance and not handed out yet. */
  private readonly head: LocalHead;
  /** Requests handed out and not yet handled or reclaimed. */
  private readonly inProgress = new Set<string>();

  private constructor(
    private readonly storageClient: StorageClient,
    info: RequestQueueInfo,
    options: { clientKey?: string; lockSecs: number },
  ) {
    this.id = info.id;
    this.name = info.name ?? undefined;
    this.clientKey = options.clientKey;
    this.client = storageClient.requestQueue(
      info.id,
      options.clientKey ? { clientKey: options.clientKey } : {},
    );
    this.head = new LocalHead(this.client, options.lockSecs);
  }

  /**
   * Opens a queue by name or id, creating a named one that does not exist; without a name, the
   * run's default queue. Works over any client (`storageDir`, `client: createFsClient()`, or an
   * `ApifyClient`). Instances are cached per client, queue and client key.
   *
   * @example
   * const queue = await RequestQueue.open('links', { storageDir: './storage', lockSecs: 60 });
   * @throws StorageError `STORAGE_INVALID_NAME`, `STORAGE_INVALID_OPTION`
   */
  static async open(nameOrId?: string | null, options: RequestQueueOpenOptions = {}): Promise<RequestQueue> {
    const { clientKey, lockSecs, ...storageOptions } = options;
    const secs = checkLockSecs(lockSecs);
    const { client, info } = await openStorage<RequestQueueInfo>(
      'requestQueue',
      nameOrId ?? undefined,
      storageOptions,
    );
    let byKey = instances.get(client);
    if (!byKey) {
      byKey = new Map();
      instances.set(client, byKey);
    }
    const key = `${info.id}\0${clientKey ?? ''}\0${secs}`;
    let queue = byKey.get(key);
    if (!queue) {
      queue = new RequestQueue(client, info, { clientKey, lockSecs: secs });
      byKey.set(key, queue);
    }
    return queue;
  }

  /**
   * Adds one request (a URL, an object or a Crawlee `Request`). A known unique key changes
   * nothing and reports `wasAlreadyPresent`.
   * @throws StorageError `STORAGE_INVALID_VALUE` for a request without a valid URL.
   */
  async addRequest(
    requestLike: RequestLike,
    options: { forefront?: boolean } = {},
  ): Promise<RequestQueueOperationInfo> {
    const forefront = options.forefront === true;
    const body = toRequestBody(requestLike);
    const info = await this.client.addRequest(body, { forefront });
    if (forefront && !info.wasAlreadyPresent) this.head.forefrontAdded();
    return { ...info, uniqueKey: body.uniqueKey, forefront };
  }

  /**
   * Adds any number of requests, 25 per call to the client, in order. Requests repeated in the
   * input are sent once.
   */
  async addRequests(
    requestsLike: Iterable<RequestLike> | AsyncIterable<RequestLike>,
    options: { forefront?: boolean } = {},
  ): Promise<BatchAddRequestsResult> {
    const forefront = options.forefront === true;
    const result: BatchAddRequestsResult = { processedRequests: [], unprocessedRequests: [] };
    let batch: RequestSchema[] = [];
    const seen = new Set<string>();
    const flush = async () => {
      if (batch.length === 0) return;
      const answer = await this.client.batchAddRequests(batch, { forefront });
      result.processedRequests.push(...answer.processedRequests);
      result.unprocessedRequests.push(...answer.unprocessedRequests);
      if (forefront && answer.processedRequests.some((p) => !p.wasAlreadyPresent)) this.head.forefrontAdded();
      batch = [];
    };
    let index = 0;
    for await (const requestLike of requestsLike) {
      const body = toRequestBody(requestLike, `Request #${index}`);
      index += 1;
      if (seen.has(body.uniqueKey)) continue;
      seen.add(body.uniqueKey);
      batch.push(body);
      if (batch.length === BATCH) await flush();
    }
    await flush();
    return result;
  }

  /**
   * The next request to process, locked for this instance for `lockSecs`; `null` when no
   * request is available now (the queue may still hold requests locked by other consumers:
   * see {@link isFinished}).
   */
  async fetchNextRequest(): Promise<StoredRequest | null> {
    for (;;) {
      await this.head.ensure((id) => this.inProgress.has(id));
      const id = await this.head.take();
      if (id === undefined) return null;
      const request = await this.client.getRequest(id);
      if (!request || request.handledAt) {
        this.head.forget(id);
        continue;
      }
      this.inProgress.add(id);
      return request;
    }
  }

  /**
   * Marks a fetched request handled (sets `handledAt`); it leaves the queue and its lock ends.
   * @throws StorageError `STORAGE_INVALID_VALUE` for an object without `id` and `uniqueKey`.
   */
  async markRequestHandled(request: StoredRequest): Promise<QueueOperationInfo> {
    const body = toUpdateBody(request, 'markRequestHandled()');
    const handledAt = body.handledAt ?? new Date().toISOString();
    const info = await this.client.updateRequest({ ...body, handledAt });
    request.handledAt = handledAt;
    this.forget(body.id);
    return info;
  }

  /**
   * Returns a fetched request to the queue (with whatever changes the caller made, such as a
   * higher `retryCount`): to the end, or first with `forefront`. It counts nothing by itself.
   */
  async reclaimRequest(
    request: StoredRequest,
    options: { forefront?: boolean } = {},
  ): Promise<QueueOperationInfo> {
    const body = toUpdateBody(request, 'reclaimRequest()');
    const forefront = options.forefront === true;
    const info = await this.client.updateRequest(body, { forefront });
    this.forget(body.id);
    try {
      await this.client.deleteRequestLock(body.id, { forefront });
    } catch {
      // The lock already lapsed or went to another client: the request is back in the queue anyway.
    }
    if (forefront) this.head.forefrontAdded();
    return info;
  }

  private forget(id: string): void {
    this.inProgress.delete(id);
    this.head.forget(id);
  }

  /** A stored request by id, or `null`. */
  async getRequest(id: string): Promise<StoredRequest | null> {
    return (await this.client.getRequest(id)) ?? null;
  }

  /** True when no request is available to this instance now (others may be locked or in progress). */
  async isEmpty(): Promise<boolean> {
    await this.head.ensure((id) => this.inProgress.has(id));
    return this.head.length === 0;
  }

  /**
   * True when the queue is done: nothing available, nothing in progress here, and no request
   * locked by any consumer (a lock that lapses makes its request available again).
   */
  async isFinished(): Promise<boolean> {
    if (this.head.length > 0 || this.inProgress.size > 0) return false;
    await this.head.ensure((id) => this.inProgress.has(id));
    if (this.head.length > 0) return false;
    return this.head.queueHasLockedRequests === false;
  }

  /** How many requests are handled. */
  async handledCount(): Promise<number> {
    return (await this.getInfo())?.handledRequestCount ?? 0;
  }

  /** The queue's info (counts, timestamps, hadMultipleClients), or `undefined` after drop(). */
  async getInfo(): Promise<RequestQueueInfo | undefined> {
    return this.client.get();
  }

  /** Deletes the queue and everything in it; this instance must not be used afterwards. */
  async drop(): Promise<void> {
    await this.client.delete();
    const byKey = instances.get(this.storageClient);
    for (const [key, queue] of byKey ?? []) if (queue === this) byKey?.delete(key);
    this.head.clear();
    this.inProgress.clear();
  }
}
