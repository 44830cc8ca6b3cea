import type { Dictionary } from '../../client/types.js';
import type { RouteContext } from '../context.js';
import { invalidRequest } from '../http-errors.js';
import { ok, type Reply } from '../reply.js';
import type { Route } from '../router.js';
import { getItems } from './items.js';
import { storeRoutes } from './stores.js';

/** POST items: a JSON object or an array of them; 201 without a body. */
async function pushItems(ctx: RouteContext): Promise<Reply> {
  const body = await ctx.json();
  if (body === undefined) throw invalidRequest('The body must be a JSON object or an array of objects.');
  if (typeof body !== 'object' || body === null) {
    throw invalidRequest('The body must be a JSON object or an array of objects.');
  }
  await ctx.client.dataset(ctx.store.idOrName).pushItems(body as Dictionary | Dictionary[]);
  return { kind: 'empty', status: 201 };
}

/** Field statistics are not computed locally: an existing dataset answers with an empty object. */
async function getStatistics(ctx: RouteContext): Promise<Reply> {
  await ctx.info();
  return ok({ fieldStatistics: {} });
}

/** Every dataset route. */
export const datasetRoutes: Route[] = [
  ...storeRoutes('datasets'),
  {
    method: 'GET',
    path: '/v2/datasets/:storeId/items',
    store: 'datasets',
    handler: (c) => getItems(c, false),
  },
  {
    method: 'HEAD',
    path: '/v2/datasets/:storeId/items',
    store: 'datasets',
    handler: (c) => getItems(c, true),
  },
  { method: 'POST', path: '/v2/datasets/:storeId/items', store: 'datasets', handler: pushItems },
  { method: 'GET', path: '/v2/datasets/:storeId/statistics', store: 'datasets', handler: getStatistics },
];
