import FindMyWay from 'find-my-way';
import type { RouteContext } from './context.js';
import { methodNotAllowed, pageNotFound } from './http-errors.js';
import type { Reply } from './reply.js';

/** The HTTP methods the API uses. */
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

/** Which kind of store a route's `:storeId` addresses. */
export type StoreKindKey = 'datasets' | 'key-value-stores' | 'request-queues';

/** One endpoint: method, path pattern (find-my-way syntax) and handler. */
export interface Route {
  method: Method;
  path: string;
  /** Set when the path has `:storeId`: the address is parsed, checked and access-controlled. */
  store?: StoreKindKey;
  handler(ctx: RouteContext): Promise<Reply>;
}

/** A matched route and its decoded path parameters. */
export interface Match {
  route: Route;
  params: Record<string, string | undefined>;
}

/** Routes by method and path; tells 404 from 405. */
export class Router {
  private readonly fmw = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 4096 });

  constructor(routes: readonly Route[]) {
    for (const route of routes) {
      this.fmw.on(route.method, route.path, () => undefined, route);
    }
  }

  /**
   * Finds the route for `method` and `url` (path and query; path parameters come back decoded).
   * @throws HttpError 404 page-not-found, 405 method-not-allowed
   */
  match(method: string, url: string): Match {
    const path = url.split('?', 1)[0] ?? '';
    const known = (METHODS as readonly string[]).includes(method);
    // HEAD is answered wherever GET is (Node sends no body for it), unless a route has its own HEAD.
    const found = known
      ? (this.fmw.find(method as Method, url) ?? (method === 'HEAD' ? this.fmw.find('GET', url) : null))
      : null;
    if (found) return { route: found.store as Route, params: found.params };
    const answers = (m: Method) =>
      this.fmw.find(m, url) !== null || (m === 'HEAD' && this.fmw.find('GET', url) !== null);
    const allowed = METHODS.filter((m) => m !== method && answers(m));
    if (allowed.length > 0) throw methodNotAllowed(method, allowed);
    throw pageNotFound(method, path);
  }
}
