import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StorageClient, StorageInfoBase } from '../client/types.js';
import { createStaticHandler, webUiApiRoutes } from '../web-ui/index.js';
import { authorize, parseStoreAddress, presentedToken, type StoreAddress } from './auth.js';
import { createRouteContext, getStoreInfo, KIND_LABELS } from './context.js';
import { storeNotFound, toHttpFailure } from './http-errors.js';
import { Query } from './query.js';
import { sendError, sendReply } from './reply.js';
import { type Match, Router } from './router.js';
import { datasetRoutes } from './routes/datasets.js';
import { keyValueStoreRoutes } from './routes/key-value-stores.js';
import { requestQueueRoutes } from './routes/request-queues.js';

/** What the request handler needs. */
export interface AppOptions {
  client: StorageClient;
  /** The token the server expects (read per request: it is known only once the server listens). */
  token(): string;
  username: string;
  /** Called with every error that became a 5xx (the client only sees a generic message). */
  onError?: (err: unknown, req: IncomingMessage) => void;
}

/** Every route of the API. */
export const ROUTES = [...datasetRoutes, ...keyValueStoreRoutes, ...requestQueueRoutes, ...webUiApiRoutes];

/**
 * Checks access to a store route: parses the address, then the token. A caller without a token may
 * only read, only by a bare id, and only a store whose id that is (not one merely named like an id).
 */
async function admit(
  req: IncomingMessage,
  match: Match,
  query: Query,
  options: AppOptions,
): Promise<{ store?: StoreAddress; info?: StorageInfoBase }> {
  const { route, params } = match;
  const store = route.store
    ? parseStoreAddress(params.storeId ?? '', options.username, KIND_LABELS[route.store])
    : undefined;
  const isRead = route.method === 'GET' || route.method === 'HEAD';
  const access = authorize(presentedToken(req, query), options.token(), isRead && store?.byId === true);
  if (access === 'anonymous' && route.store && store) {
    const info = await getStoreInfo(options.client, route.store, store.idOrName);
    if (!info || info.id !== store.idOrName) {
      throw storeNotFound(`${KIND_LABELS[route.store]} "${store.idOrName}"`);
    }
    return { store, info };
  }
  return { store };
}

async function handle(req: IncomingMessage, res: ServerResponse, router: Router, options: AppOptions) {
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const query = Query.fromUrl(url);
  const match = router.match(method, url);
  const { store, info } = await admit(req, match, query, options);
  const ctx = createRouteContext({
    req,
    params: match.params,
    query,
    client: options.client,
    baseUrl: `http://${req.headers.host ?? 'localhost'}`,
    kind: match.route.store,
    store,
    info,
  });
  await sendReply(res, await match.route.handler(ctx), method === 'HEAD');
}

/** The server's request listener: route, admit, handle, answer; every failure mapped once, here. */
export function createRequestListener(
  options: AppOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const router = new Router(ROUTES);
  const serveWebUi = createStaticHandler(); // the storage browser: `/` for browsers, `/ui/*`
  return (req, res) => {
    if (serveWebUi(req, res)) return;
    handle(req, res, router, options).catch((err: unknown) => {
      const failure = toHttpFailure(err);
      if (failure.internal) options.onError?.(err, req);
      // A body we did not read (refused early) is drained, and the connection not reused.
      const headers: Record<string, string> = { ...failure.headers };
      if (!req.complete) headers.connection = 'close';
      if (!req.complete) req.resume();
      sendError(res, failure.status, failure.body, headers);
    });
  };
}
