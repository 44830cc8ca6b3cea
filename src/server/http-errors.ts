import { ERROR_TABLE, type ErrorCode, StorageError } from '../errors.js';

/** The body of every error response: `{"error":{"type":…,"message":…}}`. */
export interface ErrorBody {
  error: { type: string; message: string };
}

/**
 * A StorageError that also fixes its HTTP status and error `type`, for the few answers that only
 * exist over HTTP (page-not-found, method-not-allowed, invalid-token, unsupported-content-encoding).
 */
export class HttpError extends StorageError {
  readonly status: number;
  readonly type: string;
  /** Extra response headers (`Allow` of a 405). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    status: number,
    type: string,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(code, message, options);
    this.status = status;
    this.type = type;
    this.headers = options?.headers ?? {};
  }
}

/** 404 `page-not-found`: no route has this path (not `record-not-found`, which clients swallow). */
export function pageNotFound(method: string, path: string): HttpError {
  return new HttpError(
    'STORAGE_NOT_FOUND',
    404,
    'page-not-found',
    `We have nothing at ${method} ${path.slice(0, 200)}.`,
  );
}

/** 405 `method-not-allowed`. */
export function methodNotAllowed(method: string, allowed: readonly string[]): HttpError {
  return new HttpError(
    'STORAGE_INVALID_OPTION',
    405,
    'method-not-allowed',
    `Method ${method} is not allowed here; use ${allowed.join(', ')}.`,
    { headers: { allow: allowed.join(', ') } },
  );
}

/** 400 `invalid-request`: the request itself is malformed (bad JSON, bad parameter). */
export function invalidRequest(message: string, cause?: unknown): HttpError {
  return new HttpError('STORAGE_INVALID_OPTION', 400, 'invalid-request', message, { cause });
}

/** 413 `request-too-large`. */
export function requestTooLarge(limit: number): HttpError {
  return new HttpError(
    'STORAGE_PAYLOAD_TOO_LARGE',
    413,
    'request-too-large',
    `The POST payload is too large (limit: ${limit} bytes, after decompression too). Send smaller batches.`,
  );
}

/** 415 `unsupported-content-encoding`. */
export function unsupportedEncoding(encoding: string): HttpError {
  return new HttpError(
    'STORAGE_INVALID_VALUE',
    415,
    'unsupported-content-encoding',
    `Content-Encoding "${encoding.slice(0, 50)}" is not supported; use br, gzip, deflate or none.`,
  );
}

/** 401 `token-not-provided` or `invalid-token`. */
export function unauthorized(kind: 'token-not-provided' | 'invalid-token'): HttpError {
  const message =
    kind === 'token-not-provided'
      ? 'Authentication token was not provided: send "Authorization: Bearer <token>" or "?token=<token>".'
      : 'Authentication token is not valid.';
  return new HttpError('STORAGE_UNAUTHORIZED', 401, kind, message);
}

/** 404 `record-not-found` for a store that does not exist or is not visible to the caller. */
export function storeNotFound(what: string): HttpError {
  return new HttpError('STORAGE_NOT_FOUND', 404, 'record-not-found', `${what} was not found.`);
}

/**
 * Maps any error to a status and an error body, through {@link ERROR_TABLE} for StorageErrors.
 * Anything else is an internal error whose details stay in the server log.
 */
export function toHttpFailure(err: unknown): {
  status: number;
  body: ErrorBody;
  internal: boolean;
  headers?: Record<string, string>;
} {
  if (err instanceof HttpError) {
    const body = { error: { type: err.type, message: err.message } };
    return { status: err.status, body, internal: false, headers: { ...err.headers } };
  }
  if (err instanceof StorageError) {
    const entry = ERROR_TABLE[err.code];
    return {
      status: entry.status,
      body: { error: { type: entry.type, message: err.message } },
      internal: entry.status >= 500,
    };
  }
  return {
    status: 500,
    body: {
      error: { type: 'internal-error', message: 'The server failed to handle the request; see its log.' },
    },
    internal: true,
  };
}
