import type {
  CollectionClient,
  CollectionListOptions,
  StorageClient,
  StorageInfoBase,
  UpdateOptions,
} from '../../client/types.js';
import { validateName } from '../../fs/layout.js';
import { getStoreInfo, KIND_LABELS, type RouteContext } from '../context.js';
import { invalidRequest, storeNotFound } from '../http-errors.js';
import { defined } from '../query.js';
import { created, noContent, ok, type Reply } from '../reply.js';
import type { Route, StoreKindKey } from '../router.js';

/** Collection lists return at most this many stores per page (also the default). */
export const MAX_LIST_LIMIT = 1000;

function collection(client: StorageClient, kind: StoreKindKey): CollectionClient<StorageInfoBase> {
  if (kind === 'datasets') return client.datasets();
  if (kind === 'key-value-stores') return client.keyValueStores();
  return client.requestQueues();
}

function single(client: StorageClient, kind: StoreKindKey, idOrName: string) {
  if (kind === 'datasets') return client.dataset(idOrName);
  if (kind === 'key-value-stores') return client.keyValueStore(idOrName);
  return client.requestQueue(idOrName);
}

/** A store's info as the API shows it: `name` is `null` (not missing) for an unnamed store. */
export function storeJson<T extends StorageInfoBase>(info: T): T & { name: string | null } {
  return { ...info, name: info.name ?? null };
}

async function listStores(ctx: RouteContext, kind: StoreKindKey): Promise<Reply> {
  const { query } = ctx;
  const options: CollectionListOptions = defined({
    offset: query.int('offset'),
    limit: query.int('limit', { max: MAX_LIST_LIMIT }) || MAX_LIST_LIMIT,
    desc: query.bool('desc'),
    unnamed: query.bool('unnamed'),
  });
  const page = await collection(ctx.client, kind).list(options);
  return ok({ ...page, limit: options.limit, items: page.items.map(storeJson) });
}

/** POST: 201 with Location for a new store, 200 for an existing name. */
async function getOrCreateStore(ctx: RouteContext, kind: StoreKindKey): Promise<Reply> {
  const raw = ctx.query.string('name') || undefined;
  const name = raw === undefined ? undefined : validateName(raw);
  if (name !== undefined) {
    const existing = await getStoreInfo(ctx.client, kind, name);
    if (existing && existing.name === name) return ok(storeJson(existing));
  }
  const info = await collection(ctx.client, kind).getOrCreate(name);
  return created(storeJson(info), `${ctx.baseUrl}/v2/${kind}/${info.id}`);
}

async function getStore(ctx: RouteContext): Promise<Reply> {
  return ok(storeJson(await ctx.info()));
}

async function updateStore(ctx: RouteContext, kind: StoreKindKey): Promise<Reply> {
  const body = await ctx.json();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The body must be a JSON object such as {"name": "new-name"}.');
  }
  const fields: UpdateOptions = {};
  if ('name' in body) {
    const { name } = body as { name: unknown };
    if (name !== null && typeof name !== 'string') throw invalidRequest('"name" must be a string or null.');
    fields.name = name === '' || name === null ? null : validateName(name);
  }
  const info = await single(ctx.client, kind, ctx.store.idOrName).update(fields);
  if (!info) throw storeNotFound(`${KIND_LABELS[kind]} "${ctx.store.idOrName}"`);
  return ok(storeJson(info));
}

async function deleteStore(ctx: RouteContext, kind: StoreKindKey): Promise<Reply> {
  await single(ctx.client, kind, ctx.store.idOrName).delete();
  return noContent();
}

/** The collection and store routes, the same for the three kinds. */
export function storeRoutes(kind: StoreKindKey): Route[] {
  const base = `/v2/${kind}`;
  return [
    { method: 'GET', path: base, handler: (ctx) => listStores(ctx, kind) },
    { method: 'POST', path: base, handler: (ctx) => getOrCreateStore(ctx, kind) },
    { method: 'GET', path: `${base}/:storeId`, store: kind, handler: getStore },
    { method: 'PUT', path: `${base}/:storeId`, store: kind, handler: (ctx) => updateStore(ctx, kind) },
    { method: 'DELETE', path: `${base}/:storeId`, store: kind, handler: (ctx) => deleteStore(ctx, kind) },
  ];
}
