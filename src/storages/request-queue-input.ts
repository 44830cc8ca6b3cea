import type { Dictionary, HttpMethod, RequestSchema, StoredRequest } from '../client/types.js';
import { StorageError } from '../errors.js';
import { toJson } from '../fs/atomic-write.js';
import { computeUniqueKey } from '../fs/request-queue/unique-key.js';

/**
 * A request to add: a URL string, a plain object, or a Crawlee `Request`. Without `uniqueKey`
 * the queue uses the normalised URL (with `useExtendedUniqueKey`, method and payload hash too);
 * `label` goes to `userData.label`, as in Crawlee.
 */
export type RequestLike = string | RequestOptions;

/** The fields of a request to add (the ones Crawlee's `RequestOptions` knows, and any extra). */
export interface RequestOptions {
  url: string;
  uniqueKey?: string;
  method?: HttpMethod | Lowercase<HttpMethod>;
  payload?: string;
  headers?: Dictionary<string>;
  userData?: Dictionary;
  label?: string;
  noRetry?: boolean;
  retryCount?: number;
  errorMessages?: string[];
  handledAt?: string | Date;
  loadedUrl?: string;
  /** Keep the `#fragment` when deriving the unique key. @default false */
  keepUrlFragment?: boolean;
  /** Derive the unique key from method, payload hash and URL. @default false */
  useExtendedUniqueKey?: boolean;
}

function invalid(message: string): StorageError {
  return new StorageError('STORAGE_INVALID_VALUE', message);
}

/**
 * Turns what a caller passed into the request body the client stores, with its unique key.
 * @throws StorageError `STORAGE_INVALID_VALUE` when there is no URL string, or an `id` is given.
 */
export function toRequestBody(requestLike: RequestLike, what = 'The request'): RequestSchema & Dictionary {
  if (typeof requestLike === 'string') requestLike = { url: requestLike };
  if (typeof requestLike !== 'object' || requestLike === null || Array.isArray(requestLike)) {
    throw invalid(`${what} must be a URL string or an object with a "url".`);
  }
  // A JSON round trip reads Crawlee's Request (getters, userData.toJSON) the way its clients do.
  const body = JSON.parse(toJson({ ...requestLike }, what)) as Dictionary;
  if (typeof body.url !== 'string' || body.url === '') throw invalid(`${what} needs a "url" string.`);
  if (body.id !== undefined) throw invalid(`${what} must not carry an "id": the queue derives it.`);
  const method = typeof body.method === 'string' ? (body.method.toUpperCase() as HttpMethod) : 'GET';
  if (typeof body.label === 'string') {
    body.userData = { ...((body.userData as Dictionary | undefined) ?? {}), label: body.label };
  }
  const uniqueKey =
    typeof body.uniqueKey === 'string' && body.uniqueKey !== ''
      ? body.uniqueKey
      : computeUniqueKey({
          url: body.url,
          method,
          payload: typeof body.payload === 'string' ? body.payload : undefined,
          keepUrlFragment: body.keepUrlFragment === true,
          useExtendedUniqueKey: body.useExtendedUniqueKey === true,
        });
  delete body.label;
  delete body.keepUrlFragment;
  delete body.useExtendedUniqueKey;
  return { ...body, url: body.url, uniqueKey, method };
}

/** The request as the client stores it on update: the object itself, `handledAt` as an ISO string. */
export function toUpdateBody(request: StoredRequest, what: string): StoredRequest {
  if (typeof request !== 'object' || request === null) throw invalid(`${what} must be a request object.`);
  const body = JSON.parse(toJson({ ...request }, what)) as StoredRequest;
  if (typeof body.id !== 'string' || typeof body.uniqueKey !== 'string') {
    throw invalid(`${what} needs the "id" and "uniqueKey" it was fetched with.`);
  }
  return body;
}
