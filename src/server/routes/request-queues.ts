import type { ListRequestsOptions, RequestSchema, UpdateRequestSchema } from '../../client/types.js';
import { StorageError } from '../../errors.js';
import { queueClient, type RouteContext } from '../context.js';
import { invalidRequest, storeNotFound } from '../http-errors.js';
import { defined } from '../query.js';
import { created, noContent, ok, type Reply } from '../reply.js';
import type { Route } from '../router.js';
import { storeRoutes } from './stores.js';

/** Limits of the platform (reference §5). */
export const QUEUE_LIMITS = { batch: 25, head: 1000, headLock: 25, listRequests: 10_000 } as const;

/** A request id from the path: no separators, no dots-only names, nothing a path could be built from. */
function requestId(ctx: RouteContext): string {
  const id = ctx.params.requestId ?? '';
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(id)) {
    throw new StorageError('STORAGE_INVALID_ID', `Invalid request id "${id.slice(0, 80)}".`, {
      details: { id },
    });
  }
  return id;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function objectBody(ctx: RouteContext): Promise<Record<string, unknown>> {
  const body = await ctx.json();
  if (!isObject(body)) throw invalidRequest('The body must be a JSON object (a request).');
  return body;
}

async function arrayBody(ctx: RouteContext): Promise<unknown[]> {
  const body = await ctx.json();
  if (!Array.isArray(body) || body.length === 0 || !body.every(isObject)) {
    throw invalidRequest('The body must be a non-empty JSON array of objects.');
  }
  if (body.length > QUEUE_LIMITS.batch) {
    throw invalidRequest(`A batch holds at most ${QUEUE_LIMITS.batch} requests; got ${body.length}.`);
  }
  return body;
}

function forefront(ctx: RouteContext): { forefront?: boolean } {
  return defined({ forefront: ctx.query.bool('forefront') });
}

function lockSecs(ctx: RouteContext): number {
  const secs = ctx.query.number('lockSecs');
  if (secs === undefined) throw invalidRequest('Parameter "lockSecs" is required.');
  return secs;
}

async function listRequests(ctx: RouteContext): Promise<Reply> {
  const { query } = ctx;
  const filter = query.list('filter');
  if (filter?.some((f) => f !== 'locked' && f !== 'pending')) {
    throw invalidRequest('Parameter "filter" takes "locked" and/or "pending".');
  }
  const options: ListRequestsOptions = defined({
    limit: query.int('limit', { max: QUEUE_LIMITS.listRequests }),
    cursor: query.string('cursor') || undefined,
    exclusiveStartId: query.string('exclusiveStartId') || undefined,
    filter: filter as ListRequestsOptions['filter'],
  });
  return ok(await queueClient(ctx).listRequests(options));
}

async function addRequest(ctx: RouteContext): Promise<Reply> {
  const request = (await objectBody(ctx)) as unknown as RequestSchema;
  return created(await queueClient(ctx).addRequest(request, forefront(ctx)));
}

async function getRequest(ctx: RouteContext): Promise<Reply> {
  const id = requestId(ctx);
  const request = await queueClient(ctx).getRequest(id);
  if (!request) throw storeNotFound(`Request "${id}"`);
  return ok(request);
}

async function updateRequest(ctx: RouteContext): Promise<Reply> {
  const id = requestId(ctx);
  const body = await objectBody(ctx);
  if (body.id !== undefined && body.id !== id) {
    throw invalidRequest(
      `The request id in the body ("${String(body.id)}") differs from the path ("${id}").`,
    );
  }
  const request = { ...body, id } as UpdateRequestSchema;
  return ok(await queueClient(ctx).updateRequest(request, forefront(ctx)));
}

async function deleteRequest(ctx: RouteContext): Promise<Reply> {
  const id = requestId(ctx);
  await queueClient(ctx).deleteRequest(id);
  return noContent();
}

async function batchAdd(ctx: RouteContext): Promise<Reply> {
  const requests = (await arrayBody(ctx)) as RequestSchema[];
  return created(await queueClient(ctx).batchAddRequests(requests, forefront(ctx)));
}

async function batchDelete(ctx: RouteContext): Promise<Reply> {
  const requests = (await arrayBody(ctx)) as Array<{ id?: string; uniqueKey?: string }>;
  return ok(await queueClient(ctx).batchDeleteRequests(requests));
}

async function listHead(ctx: RouteContext): Promise<Reply> {
  const limit = ctx.query.int('limit', { max: QUEUE_LIMITS.head });
  return ok(await queueClient(ctx).listHead(defined({ limit })));
}

async function lockHead(ctx: RouteContext): Promise<Reply> {
  const options = {
    lockSecs: lockSecs(ctx),
    ...defined({ limit: ctx.query.int('limit', { max: QUEUE_LIMITS.headLock }) }),
  };
  return created(await queueClient(ctx).listAndLockHead(options));
}

async function prolongLock(ctx: RouteContext): Promise<Reply> {
  const id = requestId(ctx);
  const options = { lockSecs: lockSecs(ctx), ...forefront(ctx) };
  return ok(await queueClient(ctx).prolongRequestLock(id, options));
}

async function deleteLock(ctx: RouteContext): Promise<Reply> {
  const id = requestId(ctx);
  await queueClient(ctx).deleteRequestLock(id, forefront(ctx));
  return noContent();
}

async function unlockRequests(ctx: RouteContext): Promise<Reply> {
  return ok(await queueClient(ctx).unlockRequests());
}

const Q = '/v2/request-queues/:storeId';
const KIND = 'request-queues';

/** Every request queue route. */
export const requestQueueRoutes: Route[] = [
  ...storeRoutes(KIND),
  { method: 'GET', path: `${Q}/requests`, store: KIND, handler: listRequests },
  { method: 'POST', path: `${Q}/requests`, store: KIND, handler: addRequest },
  { method: 'POST', path: `${Q}/requests/batch`, store: KIND, handler: batchAdd },
  { method: 'DELETE', path: `${Q}/requests/batch`, store: KIND, handler: batchDelete },
  { method: 'POST', path: `${Q}/requests/unlock`, store: KIND, handler: unlockRequests },
  { method: 'GET', path: `${Q}/requests/:requestId`, store: KIND, handler: getRequest },
  { method: 'PUT', path: `${Q}/requests/:requestId`, store: KIND, handler: updateRequest },
  { method: 'DELETE', path: `${Q}/requests/:requestId`, store: KIND, handler: deleteRequest },
  { method: 'PUT', path: `${Q}/requests/:requestId/lock`, store: KIND, handler: prolongLock },
  { method: 'DELETE', path: `${Q}/requests/:requestId/lock`, store: KIND, handler: deleteLock },
  { method: 'GET', path: `${Q}/head`, store: KIND, handler: listHead },
  { method: 'POST', path: `${Q}/head/lock`, store: KIND, handler: lockHead },
];
