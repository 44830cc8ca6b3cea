/**
 * Request files: `<requestId>.json`, one per request, in the shape @crawlee/memory-storage reads
 * and writes (`id, json, method, orderNo, retryCount, uniqueKey, url`; `orderNo` null once
 * handled; `json` the whole request as a JSON string), so each can open the other's queues.
 * Also the check at the door that turns what a caller passed into a stored request.
 */
import { join } from 'node:path';
import type { HttpMethod } from '../../client/types.js';
import { StorageError } from '../../errors.js';
import { type JsonRead, readJson, readJsonSync, toJson, writeAtomic } from '../atomic-write.js';
import { requestIdFromUniqueKey } from '../layout.js';
import { computeUniqueKey } from './unique-key.js';

/** The content of a request file. */
export interface RequestFile {
  id: string;
  json: string;
  method: HttpMethod;
  orderNo: number | null;
  retryCount: number;
  uniqueKey: string;
  url: string;
}

/** A request after the check at the door: what gets stored. */
export interface PreparedRequest {
  id: string;
  uniqueKey: string;
  url: string;
  method: HttpMethod;
  retryCount: number;
  handled: boolean;
  /** The whole request as stored in the file's `json` field (with its id). */
  json: string;
}

const METHODS = new Set<string>([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'TRACE',
  'OPTIONS',
  'CONNECT',
  'PATCH',
]);
/** Request ids: what the platform makes (15 characters of base64) and what peers wrote. */
const REQUEST_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;
/** The API's limit on one request body. */
export const MAX_REQUEST_BYTES = 9_437_184;

function invalid(message: string, details?: Record<string, unknown>): StorageError {
  return new StorageError('STORAGE_INVALID_VALUE', message, { details });
}

/**
 * Checks a request id.
 * @throws StorageError `STORAGE_INVALID_ID`
 */
export function validateRequestId(id: unknown): string {
  if (typeof id !== 'string' || !REQUEST_ID_RE.test(id)) {
    throw new StorageError(
      'STORAGE_INVALID_ID',
      `Invalid request id ${JSON.stringify(typeof id === 'string' ? id.slice(0, 80) : id)}.`,
      { details: { id } },
    );
  }
  return id;
}

/** True when `name` is a request file name (`<id>.json`); returns the id. */
export function requestIdOfFile(name: string): string | undefined {
  if (!name.endsWith('.json') || name.startsWith('.') || name === '__metadata__.json') return undefined;
  const id = name.slice(0, -5);
  return REQUEST_ID_RE.test(id) ? id : undefined;
}

/** Path of the file of request `id` (the id must have passed {@link validateRequestId}). */
export function requestFilePath(dir: string, id: string): string {
  return join(dir, `${id}.json`);
}

function plainCopy(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(`${what} must be an object with a "url".`);
  }
  return JSON.parse(toJson(input, what)) as Record<string, unknown>;
}

function checkUrl(url: unknown, what: string): string {
  if (typeof url !== 'string' || url === '') throw invalid(`${what} needs a "url" string.`);
  try {
    new URL(url);
  } catch {
    throw invalid(`${what} has an invalid URL ${JSON.stringify(url.slice(0, 200))}: give an absolute URL.`, {
      url,
    });
  }
  return url;
}

function checkFields(body: Record<string, unknown>, what: string): void {
  if (body.payload !== undefined && body.payload !== null && typeof body.payload !== 'string') {
    throw invalid(`${what}: "payload" must be a string.`);
  }
  if (body.userData !== undefined && (typeof body.userData !== 'object' || Array.isArray(body.userData))) {
    throw invalid(`${what}: "userData" must be an object.`);
  }
  if (body.headers !== undefined && body.headers !== null && typeof body.headers !== 'object') {
    throw invalid(`${what}: "headers" must be an object.`);
  }
  if (body.handledAt !== undefined && body.handledAt !== null && typeof body.handledAt !== 'string') {
    throw invalid(`${what}: "handledAt" must be an ISO date string.`);
  }
}

/**
 * Turns a request as a caller passed it (a plain object or a Crawlee `Request`) into what is
 * stored: the unique key defaults to the normalised URL (Crawlee's rules; `useExtendedUniqueKey`
 * and `keepUrlFragment` are honoured and not stored), the id is derived from the unique key.
 * @throws StorageError `STORAGE_INVALID_VALUE` for a missing or invalid url, method, id …;
 *   `STORAGE_PAYLOAD_TOO_LARGE` for a request over 9 MiB.
 */
export function prepareRequest(input: unknown, what = 'The request'): PreparedRequest {
  const body = plainCopy(input, what);
  const url = checkUrl(body.url, what);
  const method = body.method === undefined || body.method === null ? 'GET' : body.method;
  if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) {
    throw invalid(`${what} has an unknown HTTP method ${JSON.stringify(method)}.`);
  }
  checkFields(body, what);
  const { keepUrlFragment, useExtendedUniqueKey } = body;
  delete body.keepUrlFragment;
  delete body.useExtendedUniqueKey;
  let uniqueKey = body.uniqueKey;
  if (uniqueKey === undefined || uniqueKey === null || uniqueKey === '') {
    uniqueKey = computeUniqueKey({
      url,
      method,
      payload: typeof body.payload === 'string' ? body.payload : undefined,
      keepUrlFragment: keepUrlFragment === true,
      useExtendedUniqueKey: useExtendedUniqueKey === true,
    });
  }
  if (typeof uniqueKey !== 'string') throw invalid(`${what}: "uniqueKey" must be a string.`);
  const id = requestIdFromUniqueKey(uniqueKey);
  if (body.id !== undefined && body.id !== null && body.id !== id) {
    throw invalid(`${what} has id "${String(body.id)}", which does not belong to its uniqueKey.`, {
      id: body.id,
      uniqueKey,
    });
  }
  const retryCount = body.retryCount ?? 0;
  if (!Number.isInteger(retryCount) || (retryCount as number) < 0) {
    throw invalid(`${what}: "retryCount" must be a whole number of at least 0.`);
  }
  const upper = method.toUpperCase() as HttpMethod;
  const json = JSON.stringify({ ...body, id, url, uniqueKey, method: upper, retryCount });
  if (Buffer.byteLength(json) > MAX_REQUEST_BYTES) {
    throw new StorageError(
      'STORAGE_PAYLOAD_TOO_LARGE',
      `${what} is over ${MAX_REQUEST_BYTES} bytes; keep large data in a key-value store instead.`,
      { details: { uniqueKey: uniqueKey.slice(0, 200) } },
    );
  }
  return {
    id,
    uniqueKey,
    url,
    method: upper,
    retryCount: retryCount as number,
    handled: typeof body.handledAt === 'string' && body.handledAt !== '',
    json,
  };
}

/** The request file for `request` at `orderNo` (null = handled). */
export function toRequestFile(request: PreparedRequest, orderNo: number | null): RequestFile {
  return {
    id: request.id,
    json: request.json,
    method: request.method,
    orderNo,
    retryCount: request.retryCount,
    uniqueKey: request.uniqueKey,
    url: request.url,
  };
}

/** Writes a request file atomically, tab-indented as memory-storage writes them. */
export async function writeRequestFile(dir: string, file: RequestFile, fsync: boolean): Promise<void> {
  await writeAtomic(requestFilePath(dir, file.id), JSON.stringify(file, null, '\t'), { fsync });
}

/** What reading a request file found. */
export type RequestFileRead =
  | { state: 'missing' }
  | { state: 'corrupt'; reason: string }
  | { state: 'ok'; file: RequestFile; request: Record<string, unknown> };

/** Reads and checks a request file; `json` must parse to an object. */
export async function readRequestFile(path: string, expectedId?: string): Promise<RequestFileRead> {
  return checkRequestFile(await readJson<RequestFile>(path), expectedId);
}

/**
 * {@link readRequestFile} in one synchronous call: for the few small files a head or a
 * `getRequest` reads, several times faster than the thread pool's round trips. `bytes`: the size read.
 */
export function readRequestFileSync(path: string, expectedId?: string): RequestFileRead & { bytes: number } {
  const read = readJsonSync<RequestFile>(path);
  return { ...checkRequestFile(read, expectedId), bytes: read.bytes };
}

function checkRequestFile(read: JsonRead<RequestFile>, expectedId: string | undefined): RequestFileRead {
  if (read.state === 'missing') return read;
  if (read.state === 'corrupt') return { state: 'corrupt', reason: `does not parse: ${read.error.message}` };
  const file = read.value;
  if (typeof file !== 'object' || file === null || typeof file.id !== 'string') {
    return { state: 'corrupt', reason: 'not a request file (no "id")' };
  }
  if (expectedId !== undefined && file.id !== expectedId) {
    return { state: 'corrupt', reason: `holds request "${file.id}", not "${expectedId}"` };
  }
  if (file.orderNo !== null && file.orderNo !== undefined && typeof file.orderNo !== 'number') {
    return { state: 'corrupt', reason: '"orderNo" is not a number' };
  }
  let request: Record<string, unknown>;
  try {
    request =
      typeof file.json === 'string' ? (JSON.parse(file.json) as Record<string, unknown>) : { ...file };
  } catch (err) {
    return { state: 'corrupt', reason: `"json" does not parse: ${(err as Error).message}` };
  }
  if (typeof request !== 'object' || request === null || typeof request.url !== 'string') {
    return { state: 'corrupt', reason: '"json" is not a request object' };
  }
  return { state: 'ok', file, request };
}
