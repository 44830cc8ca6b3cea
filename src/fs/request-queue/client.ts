import type {
  ListAndLockHeadResult,
  ListRequestsResult,
  QueueHead,
  RequestQueueClient,
  RequestQueueClientOptions,
  RequestQueueInfo,
  UpdateOptions,
} from '../../client/types.js';
import { StorageError } from '../../errors.js';
import type { FsContext } from '../context.js';
import { deleteStore, renameStore } from '../stores.js';
import { orUndefined, QueueAccess } from './access.js';
import { planAdd, planBatchDelete, planDelete, planUpdate, readIndexedFile } from './changes.js';
import type { QueueEngine } from './engine.js';
import { readQueueMetadata, toQueueInfo } from './metadata.js';
import {
  checkBatch,
  checkClientKey,
  checkDeleteTargets,
  checkForefront,
  checkHeadLimit,
  checkListRequests,
  checkLockHead,
  checkProlong,
} from './options.js';
import type { QueueIndex } from './queue-index.js';
import { headEntries, headItems, pageIds, pageItems, readStoredRequest, type Unreadable } from './reading.js';
import { forgetEngine } from './registry.js';
import { prepareRequest, validateRequestId } from './request-file.js';
import { planDeleteLock, planListAndLock, planProlong, planUnlockAll } from './request-locks.js';

function queueModifiedAt(index: QueueIndex, engine: QueueEngine): Date {
  const fallback = Date.parse(String(engine.files.fallbackMetadata.modifiedAt)) || Date.now();
  return new Date(index.modifiedAt || fallback);
}

/** Moves unreadable request files aside and drops them from the index (reads find them; a change fixes them). */
async function quarantine(access: QueueAccess, unreadable: Unreadable[]): Promise<void> {
  if (unreadable.length === 0) return;
  await access.change(async (tx, engine) => {
    for (const { id } of unreadable) await readIndexedFile(tx, engine.files, id);
  });
}

function checkUpdateFields(fields: unknown): UpdateOptions {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new StorageError('STORAGE_INVALID_OPTION', 'update() takes an object such as { name }.');
  }
  return fields as UpdateOptions;
}

/**
 * The client of one request queue (addressed by id or name) in the Apify client shape.
 * Several processes may add to a queue at once; consumers lock requests from its head.
 *
 * @example
 * const queue = client.requestQueue('default', { clientKey: 'worker-1' });
 * await queue.addRequest({ url: 'https://example.com' });
 * const { items } = await queue.listAndLockHead({ limit: 10, lockSecs: 60 });
 * @throws StorageError `STORAGE_INVALID_ID` for a malformed clientKey.
 */
export function createRequestQueueClient(
  ctx: FsContext,
  idOrName: string,
  options: RequestQueueClientOptions = {},
): RequestQueueClient {
  const clientKey = checkClientKey(options.clientKey);
  const access = new QueueAccess(ctx, idOrName, clientKey);
  const { storageDir, fsync } = ctx.config;

  const info = (): Promise<RequestQueueInfo> =>
    access.read(async (index, engine) =>
      toQueueInfo(
        await readQueueMetadata(engine.files.dir, engine.files.fallbackMetadata),
        index,
        new Date(),
      ),
    );

  return {
    get: () => orUndefined(info()),

    async update(fields) {
      const { name } = checkUpdateFields(fields);
      if (name !== undefined) {
        await access.change(async (tx, engine) => {
          const { location } = await access.resolve();
          const moved = await renameStore(storageDir, location, name, { fsync });
          engine.files.dir = moved.dir;
          engine.files.fallbackMetadata = moved.metadata;
          access.moved(moved);
          tx.forceCommit = true;
          tx.modified = true;
        });
      }
      return info();
    },

    async delete() {
      const found = await orUndefined(access.resolve());
      if (!found) return;
      await found.engine.lock.run(() => deleteStore(storageDir, 'request_queues', found.location.id));
      forgetEngine(storageDir, found.location.id);
      access.forget();
    },

    async addRequest(request, opts) {
      const forefront = checkForefront(opts);
      const prepared = prepareRequest(request);
      const [result] = await access.change((tx) => planAdd(tx, [prepared], forefront));
      const { uniqueKey: _key, ...operation } = result as NonNullable<typeof result>;
      return operation;
    },

    async batchAddRequests(requests, opts) {
      const forefront = checkForefront(opts);
      const prepared = checkBatch(requests);
      const processedRequests = await access.change((tx) => planAdd(tx, prepared, forefront));
      return { processedRequests, unprocessedRequests: [] };
    },

    async getRequest(id) {
      validateRequestId(id);
      const unreadable: Unreadable[] = [];
      const request = await access.run((engine) => readStoredRequest(engine.files.dir, id, unreadable));
      await quarantine(access, unreadable);
      return request;
    },

    async updateRequest(request, opts) {
      const forefront = checkForefront(opts);
      const prepared = prepareRequest(request);
      return access.change((tx) => planUpdate(tx, prepared, forefront));
    },

    async deleteRequest(id) {
      validateRequestId(id);
      await access.change((tx) => planDelete(tx, id));
    },

    async batchDeleteRequests(requests) {
      const targets = checkDeleteTargets(requests);
      const processedRequests = await access.change((tx, engine) =>
        planBatchDelete(tx, engine.files, targets),
      );
      return { processedRequests, unprocessedRequests: [] };
    },

    async listHead(opts) {
      const limit = checkHeadLimit(opts);
      const unreadable: Unreadable[] = [];
      const head = await access.read(async (index, engine): Promise<QueueHead> => {
        const now = Date.now();
        return {
          limit,
          queueModifiedAt: queueModifiedAt(index, engine),
          hadMultipleClients: index.hadMultipleClients,
          items: await headItems(engine.files.dir, headEntries(index, limit, now), now, unreadable),
        };
      });
      await quarantine(access, unreadable);
      return head;
    },

    async listAndLockHead(opts): Promise<ListAndLockHeadResult> {
      const { limit, lockSecs } = checkLockHead(opts);
      // Consumers poll an empty head often: answer that without taking the store lock.
      const idle = await access.read((index, engine) => {
        const now = Date.now();
        if (limit > 0 && index.unlockedHead(1, now).length > 0) return undefined;
        return {
          limit,
          lockSecs,
          clientKey,
          queueModifiedAt: queueModifiedAt(index, engine),
          hadMultipleClients: index.hadMultipleClients,
          queueHasLockedRequests: index.activeLocks(now).length > 0,
          items: [],
        };
      });
      if (idle) return idle;
      return access.change(async (tx, engine) => {
        const items = await planListAndLock(tx, engine.files, { limit, lockSecs, clientKey });
        return {
          limit,
          lockSecs,
          clientKey,
          queueModifiedAt: queueModifiedAt(tx.index, engine),
          hadMultipleClients: tx.index.hadMultipleClients,
          queueHasLockedRequests: tx.index.activeLocks(tx.now).length > 0,
          items,
        };
      });
    },

    async prolongRequestLock(id, opts) {
      validateRequestId(id);
      const checked = checkProlong(opts);
      return access.change((tx, engine) => planProlong(tx, engine.files, id, { ...checked, clientKey }));
    },

    async deleteRequestLock(id, opts) {
      validateRequestId(id);
      const forefront = checkForefront(opts);
      await access.change((tx, engine) => planDeleteLock(tx, engine.files, id, { forefront, clientKey }));
    },

    async unlockRequests() {
      return { unlockedCount: await access.change((tx) => planUnlockAll(tx, clientKey)) };
    },

    async listRequests(opts): Promise<ListRequestsResult> {
      const plan = checkListRequests(opts);
      const unreadable: Unreadable[] = [];
      const result = await access.read(async (index, engine) => {
        const { ids, next } = pageIds(index, plan, Date.now());
        const page: ListRequestsResult = {
          items: await pageItems(engine.files.dir, ids, unreadable),
          limit: plan.limit,
          nextCursor: next,
        };
        if (plan.cursor !== undefined) page.cursor = plan.cursor;
        if (plan.exclusiveStartId !== undefined) page.exclusiveStartId = plan.exclusiveStartId;
        return page;
      });
      await quarantine(access, unreadable);
      return result;
    },
  };
}
