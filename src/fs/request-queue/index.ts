/**
 * The request-queue engine: a journal-backed index over request files that @crawlee/memory-storage
 * also reads (see journal.ts, snapshot.ts, request-file.ts for the on-disk formats).
 */
export { createRequestQueueClient } from './client.js';
export { createRequestQueueCollectionClient } from './collection.js';
export { flushQueueMetadata } from './queue-files.js';
export { computeUniqueKey, hashPayload, normalizeUrl, type UniqueKeyInput } from './unique-key.js';
