import type { IncomingMessage } from 'node:http';
import type {
  DatasetInfo,
  KeyValueStoreInfo,
  RequestQueueClientOptions,
  RequestQueueInfo,
  StorageClient,
  StorageInfoBase,
} from '../client/types.js';
import type { StoreAddress } from './auth.js';
import { parseJsonBody, readBody } from './body.js';
import { invalidRequest, storeNotFound } from './http-errors.js';
import type { Query } from './query.js';
import type { StoreKindKey } from './router.js';

/** Human names of the store kinds, for messages. */
export const KIND_LABELS: Readonly<Record<StoreKindKey, string>> = {
  datasets: 'Dataset',
  'key-value-stores': 'Key-value store',
  'request-queues': 'Request queue',
};

/** Everything a handler needs, parsed and checked at the door. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Query;
  readonly client: StorageClient;
  /** `http://host:port`, as the caller reached the server; for Location headers and public URLs. */
  readonly baseUrl: string;
  /** The parsed `:storeId`; only on store routes. */
  readonly store: StoreAddress;
  /** The raw body, decompressed and size-checked. */
  body(): Promise<Buffer>;
  /** The body parsed as JSON (`undefined` when empty). */
  json(): Promise<unknown>;
  /** The store's info (cached per request); 404 when it does not exist. */
  info(): Promise<StorageInfoBase>;
}

/** Gets the info of a store of any kind; `undefined` when it does not exist. */
export function getStoreInfo(
  client: StorageClient,
  kind: StoreKindKey,
  idOrName: string,
): Promise<DatasetInfo | KeyValueStoreInfo | RequestQueueInfo | undefined> {
  if (kind === 'datasets') return client.dataset(idOrName).get();
  if (kind === 'key-value-stores') return client.keyValueStore(idOrName).get();
  return client.requestQueue(idOrName).get();
}

/** Builds the context of one request. */
export function createRouteContext(init: {
  req: IncomingMessage;
  params: Record<string, string | undefined>;
  query: Query;
  client: StorageClient;
  baseUrl: string;
  kind: StoreKindKey | undefined;
  store: StoreAddress | undefined;
  /** The store's info when access control already read it. */
  info?: StorageInfoBase;
}): RouteContext {
  let body: Promise<Buffer> | undefined;
  let info: Promise<StorageInfoBase> | undefined = init.info ? Promise.resolve(init.info) : undefined;
  const { kind, store } = init;
  return {
    req: init.req,
    params: init.params,
    query: init.query,
    client: init.client,
    baseUrl: init.baseUrl,
    get store(): StoreAddress {
      if (!store) throw invalidRequest('This route addresses no store.');
      return store;
    },
    body() {
      body ??= readBody(init.req);
      return body;
    },
    async json() {
      return parseJsonBody(await this.body());
    },
    info() {
      info ??= (async () => {
        if (!kind || !store) throw invalidRequest('This route addresses no store.');
        const found = await getStoreInfo(init.client, kind, store.idOrName);
        if (!found) throw storeNotFound(`${KIND_LABELS[kind]} "${store.idOrName}"`);
        return found;
      })();
      return info;
    },
  };
}

/**
 * The clientKey of calls that send none. Every HTTP call gets a fresh client object, so the
 * engine's "random key per client" would make such a caller a new client each time; one fixed key
 * keeps its locks its own.
 */
export const DEFAULT_CLIENT_KEY = 'http-client';

/** The request queue client for this request, with the caller's `clientKey` when given. */
export function queueClient(ctx: RouteContext) {
  const clientKey = ctx.query.string('clientKey') || DEFAULT_CLIENT_KEY;
  const options: RequestQueueClientOptions = { clientKey };
  return ctx.client.requestQueue(ctx.store.idOrName, options);
}
