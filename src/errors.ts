/**
 * Stable error codes. Codes are API: callers branch on `error.code`, never on the message.
 * Messages are for people and say what to do.
 */
export type ErrorCode =
  /** The dataset, key-value store or request queue does not exist. */
  | 'STORAGE_NOT_FOUND'
  /** A record, item or request inside an existing storage does not exist. */
  | 'STORAGE_RECORD_NOT_FOUND'
  /** A record key does not match `^[a-zA-Z0-9!\-_.'()]{1,256}$`. */
  | 'STORAGE_INVALID_KEY'
  /** A storage name does not follow the platform rule, or is reserved. */
  | 'STORAGE_INVALID_NAME'
  /** A storage id, request id or clientKey is malformed. */
  | 'STORAGE_INVALID_ID'
  /** A path built from a name, key or id would leave its storage folder. */
  | 'STORAGE_PATH_ESCAPE'
  /** A value cannot be stored: not a JSON object, not serialisable (BigInt, circular, function) … */
  | 'STORAGE_INVALID_VALUE'
  /** An option is unknown or has a value of the wrong type or range. */
  | 'STORAGE_INVALID_OPTION'
  /** A dataset item is 9 MB or more. */
  | 'STORAGE_ITEM_TOO_LARGE'
  /** A request body or batch is over its limit. */
  | 'STORAGE_PAYLOAD_TOO_LARGE'
  /** Another storage already has that name. */
  | 'STORAGE_NAME_TAKEN'
  /** The storage (or a request in it) is locked by another process or client. */
  | 'STORAGE_LOCKED'
  /** A file on disk does not parse; it was moved aside. */
  | 'STORAGE_CORRUPT'
  /** The token is missing or wrong (HTTP server). */
  | 'STORAGE_UNAUTHORIZED'
  /** The export format is not one of json, jsonl, csv, xlsx, xml, rss, html. */
  | 'STORAGE_UNSUPPORTED_FORMAT'
  /** An unexpected filesystem error (permissions, disk full …); `cause` holds the original. */
  | 'STORAGE_IO';

/** Where each code lands over HTTP (status and the platform's error `type`) and in the CLI (exit code). */
export const ERROR_TABLE: Readonly<Record<ErrorCode, { status: number; type: string; exitCode: number }>> = {
  STORAGE_NOT_FOUND: { status: 404, type: 'record-not-found', exitCode: 4 },
  STORAGE_RECORD_NOT_FOUND: { status: 404, type: 'record-not-found', exitCode: 4 },
  STORAGE_INVALID_KEY: { status: 400, type: 'invalid-record-key', exitCode: 2 },
  STORAGE_INVALID_NAME: { status: 400, type: 'invalid-value', exitCode: 2 },
  STORAGE_INVALID_ID: { status: 400, type: 'invalid-value', exitCode: 2 },
  STORAGE_PATH_ESCAPE: { status: 400, type: 'invalid-value', exitCode: 2 },
  STORAGE_INVALID_VALUE: { status: 400, type: 'invalid-value', exitCode: 2 },
  STORAGE_INVALID_OPTION: { status: 400, type: 'invalid-request', exitCode: 2 },
  STORAGE_ITEM_TOO_LARGE: { status: 400, type: 'invalid-value', exitCode: 2 },
  STORAGE_PAYLOAD_TOO_LARGE: { status: 413, type: 'request-too-large', exitCode: 2 },
  STORAGE_NAME_TAKEN: { status: 400, type: 'invalid-value', exitCode: 5 },
  STORAGE_LOCKED: { status: 409, type: 'conflict', exitCode: 6 },
  STORAGE_CORRUPT: { status: 500, type: 'internal-error', exitCode: 7 },
  STORAGE_UNAUTHORIZED: { status: 401, type: 'token-not-provided', exitCode: 2 },
  STORAGE_UNSUPPORTED_FORMAT: { status: 400, type: 'invalid-value', exitCode: 2 },
  STORAGE_IO: { status: 500, type: 'internal-error', exitCode: 1 },
};

/**
 * The one error class of actor-storage.
 *
 * @example
 * try { await kvs.setValue('a/b', 1) } catch (err) {
 *   if (err instanceof StorageError && err.code === 'STORAGE_INVALID_KEY') …
 * }
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: ErrorCode;
  /** Extra machine-readable facts (the offending key, the limit …). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

/** True when `err` is a StorageError, optionally with the given code. */
export function isStorageError(err: unknown, code?: ErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}

/** True for a Node.js system error with the given `code` (ENOENT, EEXIST …). */
export function isErrno(err: unknown, code: string): err is NodeJS.ErrnoException {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}

/**
 * Wraps any error that is not already a StorageError as `STORAGE_IO`, so a raw `ENOENT` or
 * `ELOCKED` never reaches a user.
 */
export function toStorageError(err: unknown, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new StorageError('STORAGE_IO', `${what} failed: ${detail}`, { cause: err });
}
