/** The checks at the door of the request-queue client: options, ids, client keys, batches. */
import { randomBytes } from 'node:crypto';
import { StorageError } from '../../errors.js';
import type { DeleteTarget } from './changes.js';
import type { ListRequestsPlan } from './reading.js';
import { type PreparedRequest, prepareRequest, validateRequestId } from './request-file.js';

/** Most requests in one batch add or batch delete. */
export const MAX_BATCH = 25;
/** Most requests `listAndLockHead` locks at once. */
export const MAX_LOCK_LIMIT = 25;
/** Most items `listHead` returns. */
export const MAX_HEAD_LIMIT = 1000;
/** Most items of one `listRequests` page. */
export const MAX_LIST_LIMIT = 10_000;

function badOption(message: string, option: string): StorageError {
  return new StorageError('STORAGE_INVALID_OPTION', message, { details: { option } });
}

function optionsObject(options: unknown, known: string[]): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options))
    throw badOption('Options must be an object.', '');
  for (const key of Object.keys(options)) {
    if (!known.includes(key) && (options as Record<string, unknown>)[key] !== undefined) {
      throw badOption(`Unknown option "${key}".`, key);
    }
  }
  return options as Record<string, unknown>;
}

function flag(options: Record<string, unknown>, name: string): boolean {
  const value = options[name];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw badOption(`Option "${name}" must be true or false.`, name);
  return value;
}

/** A whole number in [min, max] (values over `max` are cut to it when `clamp`). */
function count(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
  clamp: boolean,
): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (!clamp && value > max)) {
    throw badOption(`Option "${name}" must be a whole number from ${min} to ${max}.`, name);
  }
  return Math.min(value, max);
}

function lockSecs(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw badOption('Option "lockSecs" must be a number of seconds above 0.', 'lockSecs');
  }
  return value;
}

/** `{ forefront }` of add and update. */
export function checkForefront(options: unknown): boolean {
  return flag(optionsObject(options, ['forefront']), 'forefront');
}

/** `{ limit }` of listHead (default 100, at most 1000). */
export function checkHeadLimit(options: unknown): number {
  return count(optionsObject(options, ['limit']).limit, 'limit', 100, 0, MAX_HEAD_LIMIT, true);
}

/** `{ lockSecs, limit }` of listAndLockHead (limit default 25; larger values are cut to 25, as the API does). */
export function checkLockHead(options: unknown): { lockSecs: number; limit: number } {
  const o = optionsObject(options, ['lockSecs', 'limit']);
  return {
    lockSecs: lockSecs(o.lockSecs),
    limit: count(o.limit, 'limit', MAX_LOCK_LIMIT, 0, MAX_LOCK_LIMIT, true),
  };
}

/** `{ lockSecs, forefront }` of prolongRequestLock. */
export function checkProlong(options: unknown): { lockSecs: number; forefront: boolean } {
  const o = optionsObject(options, ['lockSecs', 'forefront']);
  return { lockSecs: lockSecs(o.lockSecs), forefront: flag(o, 'forefront') };
}

/** `{ limit, cursor, exclusiveStartId, filter }` of listRequests. */
export function checkListRequests(options: unknown): ListRequestsPlan {
  const o = optionsObject(options, ['limit', 'cursor', 'exclusiveStartId', 'filter']);
  for (const name of ['cursor', 'exclusiveStartId'] as const) {
    if (o[name] !== undefined && o[name] !== null && typeof o[name] !== 'string') {
      throw badOption(`Option "${name}" must be a string.`, name);
    }
  }
  const filter = o.filter ?? [];
  if (!Array.isArray(filter) || filter.some((f) => f !== 'locked' && f !== 'pending')) {
    throw badOption('Option "filter" must be a list of "locked" and "pending".', 'filter');
  }
  const exclusiveStartId = (o.exclusiveStartId as string | undefined) ?? undefined;
  if (exclusiveStartId !== undefined) validateRequestId(exclusiveStartId);
  return {
    limit: count(o.limit, 'limit', 100, 1, MAX_LIST_LIMIT, true),
    cursor: (o.cursor as string | undefined) || undefined,
    exclusiveStartId,
    pending: filter.includes('pending'),
    locked: filter.includes('locked'),
  };
}

/**
 * A client key: 1–32 printable characters; a random one when none is given.
 * @throws StorageError `STORAGE_INVALID_ID`
 */
export function checkClientKey(clientKey: unknown): string {
  if (clientKey === undefined || clientKey === null) return randomBytes(12).toString('base64url');
  if (typeof clientKey !== 'string' || !/^[\x21-\x7e]{1,32}$/.test(clientKey)) {
    throw new StorageError(
      'STORAGE_INVALID_ID',
      'A clientKey must be 1–32 printable characters without spaces.',
      {
        details: { clientKey },
      },
    );
  }
  return clientKey;
}

function checkBatchSize(list: unknown, what: string): unknown[] {
  if (!Array.isArray(list)) {
    throw new StorageError('STORAGE_INVALID_VALUE', `${what} takes an array of requests.`);
  }
  if (list.length > MAX_BATCH) {
    throw new StorageError(
      'STORAGE_PAYLOAD_TOO_LARGE',
      `${what} takes at most ${MAX_BATCH} requests; send several batches.`,
      {
        details: { count: list.length, limit: MAX_BATCH },
      },
    );
  }
  return list;
}

/** The requests of a batch add, checked one by one (an error names the request's position). */
export function checkBatch(requests: unknown): PreparedRequest[] {
  return checkBatchSize(requests, 'batchAddRequests').map((r, i) => prepareRequest(r, `Request #${i}`));
}

/** The targets of a batch delete: each `{ id }` or `{ uniqueKey }`. */
export function checkDeleteTargets(targets: unknown): DeleteTarget[] {
  return checkBatchSize(targets, 'batchDeleteRequests').map((t, i) => {
    const target = (t ?? {}) as DeleteTarget;
    if (typeof target !== 'object')
      throw new StorageError('STORAGE_INVALID_VALUE', `Request #${i} must be an object.`);
    if (target.id !== undefined && target.id !== null)
      return { id: validateRequestId(target.id), uniqueKey: target.uniqueKey };
    if (typeof target.uniqueKey === 'string' && target.uniqueKey !== '')
      return { uniqueKey: target.uniqueKey };
    throw new StorageError('STORAGE_INVALID_VALUE', `Request #${i} needs an "id" or a "uniqueKey".`);
  });
}
