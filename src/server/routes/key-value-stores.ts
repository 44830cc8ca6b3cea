import type { Readable } from 'node:stream';
import type { ListKeysOptions } from '../../client/types.js';
import { isStorageError } from '../../errors.js';
import { validateKey } from '../../fs/layout.js';
import type { RouteContext } from '../context.js';
import { storeNotFound } from '../http-errors.js';
import { defined } from '../query.js';
import { noContent, ok, type Reply } from '../reply.js';
import type { Route } from '../router.js';
import { type ZipEntry, zipStream } from '../zip.js';
import { storeRoutes } from './stores.js';

/** Keys per page: default and maximum. */
export const MAX_KEYS_LIMIT = 1000;
const DEFAULT_RECORD_TYPE = 'application/octet-stream';

function recordKey(ctx: RouteContext): string {
  return validateKey(ctx.params.key);
}

function kvs(ctx: RouteContext) {
  return ctx.client.keyValueStore(ctx.store.idOrName);
}

/** GET keys: `exclusiveStartKey` and `nextExclusiveStartKey` are `null`, never missing. */
async function listKeys(ctx: RouteContext): Promise<Reply> {
  const { query } = ctx;
  const info = await ctx.info();
  const exclusiveStartKey = query.string('exclusiveStartKey') || undefined;
  const options: ListKeysOptions = defined({
    limit: query.int('limit', { max: MAX_KEYS_LIMIT }) || MAX_KEYS_LIMIT,
    exclusiveStartKey,
    prefix: query.string('prefix') || undefined,
    collection: query.string('collection') || undefined,
  });
  const page = await kvs(ctx).listKeys(options);
  const publicBase = `${ctx.baseUrl}/v2/key-value-stores/${info.id}/records/`;
  return ok({
    ...page,
    exclusiveStartKey: exclusiveStartKey ?? null,
    nextExclusiveStartKey: page.isTruncated ? (page.nextExclusiveStartKey ?? null) : null,
    items: page.items.map((item) => ({
      ...item,
      recordPublicUrl: publicBase + encodeURIComponent(item.key),
    })),
  });
}

/** Every key of the store (with `prefix`), a page at a time. */
async function* allKeys(ctx: RouteContext, prefix: string | undefined): AsyncGenerator<string> {
  let exclusiveStartKey: string | undefined;
  for (;;) {
    const page = await kvs(ctx).listKeys(defined({ limit: MAX_KEYS_LIMIT, exclusiveStartKey, prefix }));
    for (const item of page.items) yield item.key;
    if (!page.isTruncated || page.items.length === 0) return;
    exclusiveStartKey = page.nextExclusiveStartKey ?? page.items.at(-1)?.key;
  }
}

/** GET records: a zip of every record (or those under `prefix`), streamed one record at a time. */
async function zipRecords(ctx: RouteContext): Promise<Reply> {
  const info = await ctx.info();
  const prefix = ctx.query.string('prefix') || undefined;
  async function* entries(): AsyncGenerator<ZipEntry> {
    for await (const key of allKeys(ctx, prefix)) {
      yield {
        name: key,
        open: async () => {
          const record = await kvs(ctx).getRecord(key, { stream: true });
          return record ? recordBody(record.value) : Buffer.alloc(0); // deleted meanwhile: an empty file
        },
      };
    }
  }
  const headers = {
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="${info.name ?? info.id}.zip"`,
  };
  return { kind: 'raw', status: 200, headers, body: zipStream(entries()) };
}

/** A record value as bytes or a stream, whatever form the client returned it in. */
function recordBody(value: unknown): Buffer | Readable {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value);
  if (isReadable(value)) return value;
  return Buffer.from(JSON.stringify(value));
}

/** GET a record: the raw value with the stored Content-Type, streamed. */
async function getRecord(ctx: RouteContext): Promise<Reply> {
  const key = recordKey(ctx);
  const record = await kvs(ctx).getRecord(key, { stream: true });
  if (!record) throw storeNotFound(`Record "${key}"`);
  const headers: Record<string, string> = {
    'content-type': record.contentType ?? DEFAULT_RECORD_TYPE,
    // A record is untrusted content served from the storage browser's origin: an HTML or SVG
    // record opened directly must not run script there (where the browser keeps the token).
    'content-security-policy': 'sandbox',
    'x-content-type-options': 'nosniff',
  };
  if (ctx.query.bool('attachment')) headers['content-disposition'] = `attachment; filename="${key}"`;
  return { kind: 'raw', status: 200, headers, body: recordBody(record.value) };
}

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).pipe === 'function';
}

/** HEAD a record: 200 when it exists, 404 (no body) when not. */
async function headRecord(ctx: RouteContext): Promise<Reply> {
  const key = recordKey(ctx);
  if (!(await kvs(ctx).recordExists(key))) throw storeNotFound(`Record "${key}"`);
  return { kind: 'empty', status: 200 };
}

/** PUT (or POST) a record: the raw body is stored with the Content-Type it came with. */
async function setRecord(ctx: RouteContext): Promise<Reply> {
  const key = recordKey(ctx);
  const value = await ctx.body();
  const contentType = ctx.req.headers['content-type'] || DEFAULT_RECORD_TYPE;
  await kvs(ctx).setRecord({ key, value, contentType });
  return { kind: 'empty', status: 201 };
}

/** DELETE a record: 204, also when it was not there (the store must exist). */
async function deleteRecord(ctx: RouteContext): Promise<Reply> {
  const key = recordKey(ctx);
  try {
    await kvs(ctx).deleteRecord(key);
  } catch (err) {
    if (!isStorageError(err, 'STORAGE_RECORD_NOT_FOUND')) throw err;
  }
  return noContent();
}

const RECORD = '/v2/key-value-stores/:storeId/records/:key';
const KIND = 'key-value-stores';

/** Every key-value store route. */
export const keyValueStoreRoutes: Route[] = [
  ...storeRoutes(KIND),
  { method: 'GET', path: '/v2/key-value-stores/:storeId/keys', store: KIND, handler: listKeys },
  { method: 'GET', path: '/v2/key-value-stores/:storeId/records', store: KIND, handler: zipRecords },
  { method: 'GET', path: RECORD, store: KIND, handler: getRecord },
  { method: 'HEAD', path: RECORD, store: KIND, handler: headRecord },
  { method: 'PUT', path: RECORD, store: KIND, handler: setRecord },
  { method: 'POST', path: RECORD, store: KIND, handler: setRecord },
  { method: 'DELETE', path: RECORD, store: KIND, handler: deleteRecord },
];
