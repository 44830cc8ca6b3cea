/**
 * The request-queue engine. On disk, a queue is:
 *
 * ```
 * request_queues/<name-or-id>/
 *   __metadata__.json        id, name, timestamps, totalRequestCount, handledRequestCount,
 *                            pendingRequestCount, hadMultipleClients (rewritten at most once a second)
 *   <requestId>.json         one per request, memory-storage's shape: id, json, method, orderNo
 *                            (null once handled; negative = forefront), retryCount, uniqueKey, url
 *   __index__/               the engine's own index; safe to delete (rebuilt by one scan)
 *     journal.log            append-only change lines, committed with the folder's mtime (journal.ts)
 *     journal.<gen>.log      the previous journal, for processes that have not read its end yet
 *     snapshot.txt           the whole index at the start of the current journal (snapshot.ts)
 *     __corrupt__/           index files that did not parse
 *   __corrupt__/             request files that did not parse
 * ```
 *
 * Opening reads the snapshot and the journal after it, never every request file; a folder
 * another tool changed since our last commit is indexed again by one scan.
 */
export { createRequestQueueClient } from './client.js';
export { createRequestQueueCollectionClient } from './collection.js';
export { flushQueueMetadata } from './queue-files.js';
export { computeUniqueKey, hashPayload, normalizeUrl, type UniqueKeyInput } from './unique-key.js';
