/**
 * Local-only API extensions the storage browser needs and the Apify API v2 lacks. They live under
 * `/v2/local/…` so nobody takes them for platform endpoints, and go through the server's usual
 * admission: reads by a store's id need no token, everything else does.
 *
 * - `GET /v2/local/info` → `{ storageDir }` (token required): the folder being served.
 * - `GET /v2/local/{datasets|key-value-stores|request-queues}/{id}/usage` →
 *   `{ bytes, files }` on disk (`null`s when the server is not over a storage folder); key-value
 *   stores add `recordCount` and `recordBytes` (the sum of the record sizes).
 * - `GET /v2/local/key-value-stores/{id}/keys` → the page of `GET /v2/key-value-stores/{id}/keys`
 *   (same parameters and shape), each item with its record's `contentType`.
 */
import type { Readable } from 'node:stream';
import type { KeyValueStoreClient, StorageClient } from '../client/types.js';
import type { StoreKind } from '../fs/layout.js';
import type { RouteContext } from '../server/context.js';
import { storeNotFound } from '../server/http-errors.js';
import { ok, type Reply } from '../server/reply.js';
import type { Route, StoreKindKey } from '../server/router.js';
import { keyValueStoreRoutes } from '../server/routes/key-value-stores.js';
import { type FolderUsage, storeFolderUsage } from './usage.js';

/** Records opened at once to read their content types. */
const TYPE_BATCH = 16;
/** Keys per page while summing a store's records. */
const KEYS_PAGE = 1000;

const FOLDER_KIND: Readonly<Record<StoreKindKey, StoreKind>> = {
  datasets: 'datasets',
  'key-value-stores': 'key_value_stores',
  'request-queues': 'request_queues',
};

/** The storage folder of a client over one (the fs engine's), else `undefined`. */
function storageDirOf(client: StorageClient): string | undefined {
  const dir = (client as { storageDir?: unknown }).storageDir;
  return typeof dir === 'string' ? dir : undefined;
}

async function getInfo(ctx: RouteContext): Promise<Reply> {
  return ok({ storageDir: storageDirOf(ctx.client) ?? null });
}

/** Count and total size of the records of a store, a page of keys at a time. */
async function recordTotals(kvs: KeyValueStoreClient): Promise<{ recordCount: number; recordBytes: number }> {
  let recordCount = 0;
  let recordBytes = 0;
  let exclusiveStartKey: string | undefined;
  for (;;) {
    const page = await kvs.listKeys({
      limit: KEYS_PAGE,
      ...(exclusiveStartKey ? { exclusiveStartKey } : {}),
    });
    recordCount += page.items.length;
    for (const item of page.items) recordBytes += item.size;
    const last = page.items.at(-1)?.key;
    if (!page.isTruncated || last === undefined) return { recordCount, recordBytes };
    exclusiveStartKey = page.nextExclusiveStartKey ?? last;
  }
}

async function getUsage(ctx: RouteContext, kind: StoreKindKey): Promise<Reply> {
  const info = await ctx.info();
  const storageDir = storageDirOf(ctx.client);
  let usage: FolderUsage | { bytes: null; files: null } = { bytes: null, files: null };
  if (storageDir !== undefined) {
    const measured = await storeFolderUsage(storageDir, FOLDER_KIND[kind], info.id);
    if (!measured) throw storeNotFound(`Store "${ctx.store.idOrName}"`);
    usage = measured;
  }
  if (kind !== 'key-value-stores') return ok(usage);
  return ok({ ...usage, ...(await recordTotals(ctx.client.keyValueStore(info.id))) });
}

/** The content type of a record without reading it: open it as a stream and close that at once. */
async function contentTypeOf(kvs: KeyValueStoreClient, key: string): Promise<string | null> {
  const record = await kvs.getRecord(key, { stream: true });
  if (!record) return null; // deleted since the listing
  const value = record.value as Partial<Readable> | undefined;
  if (value && typeof value.destroy === 'function') value.destroy();
  return record.contentType ?? null;
}

const platformKeys = keyValueStoreRoutes.find((r) => r.method === 'GET' && r.path.endsWith('/keys'));

async function listKeysWithTypes(ctx: RouteContext): Promise<Reply> {
  if (!platformKeys) throw storeNotFound('The keys endpoint');
  const reply = await platformKeys.handler(ctx);
  if (reply.kind !== 'data') return reply;
  const page = reply.data as { items: Array<{ key: string; contentType?: string | null }> };
  const kvs = ctx.client.keyValueStore((await ctx.info()).id);
  for (let i = 0; i < page.items.length; i += TYPE_BATCH) {
    const batch = page.items.slice(i, i + TYPE_BATCH);
    const types = await Promise.all(batch.map((item) => contentTypeOf(kvs, item.key)));
    batch.forEach((item, j) => {
      item.contentType = types[j] ?? null;
    });
  }
  return reply;
}

function usageRoute(kind: StoreKindKey): Route {
  return {
    method: 'GET',
    path: `/v2/local/${kind}/:storeId/usage`,
    store: kind,
    handler: (ctx) => getUsage(ctx, kind),
  };
}

/** The local-only routes of the storage browser, to register with the API's routes. */
export const webUiApiRoutes: Route[] = [
  { method: 'GET', path: '/v2/local/info', handler: getInfo },
  usageRoute('datasets'),
  usageRoute('key-value-stores'),
  usageRoute('request-queues'),
  {
    method: 'GET',
    path: '/v2/local/key-value-stores/:storeId/keys',
    store: 'key-value-stores',
    handler: listKeysWithTypes,
  },
];
