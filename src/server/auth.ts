import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { StorageError } from '../errors.js';
import { looksLikeId, validateIdOrName } from '../fs/layout.js';
import { storeNotFound, unauthorized } from './http-errors.js';
import type { Query } from './query.js';

/** The platform's username rule; the local user's name must follow it. */
const USERNAME_RE = /^[a-z0-9_.-]{3,30}$/i;

/** Name of the user that owns every store of a local server. */
export const DEFAULT_USERNAME = 'local';

/**
 * Checks a username for `username~store-name` addresses.
 * @throws StorageError `STORAGE_INVALID_OPTION`
 */
export function validateUsername(username: string): string {
  if (!USERNAME_RE.test(username)) {
    throw new StorageError(
      'STORAGE_INVALID_OPTION',
      `Invalid username "${username.slice(0, 40)}": use 3–30 characters a-z, 0-9, "_", "." and "-".`,
    );
  }
  return username;
}

/** The token a request presents: `Authorization: Bearer <token>`, else `?token=`. */
export function presentedToken(req: IncomingMessage, query: Query): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  const fromQuery = query.string('token');
  return fromQuery === '' ? undefined : fromQuery;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time comparison of a presented token with the server's. */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** A store address from the URL, turned into what the client interface takes. */
export interface StoreAddress {
  /** The id or name to pass to `client.dataset()` and the like. */
  idOrName: string;
  /** True for a bare 17-character id: the only form readable without the token. */
  byId: boolean;
}

/**
 * Reads `{id}` of a store route: a 17-character id, `~store-name` (the token owner's),
 * `username~store-name`, or a bare name (local convenience, token required). Checked with the
 * engine's validator before anything touches the disk.
 * @throws StorageError `STORAGE_INVALID_NAME` for an address that could be a path; HttpError 404 for
 *   another user's store.
 */
export function parseStoreAddress(raw: string, username: string, label: string): StoreAddress {
  const tilde = raw.indexOf('~');
  if (tilde === -1) return { idOrName: validateIdOrName(raw), byId: looksLikeId(raw) };
  const user = raw.slice(0, tilde);
  const name = raw.slice(tilde + 1);
  if (user !== '' && user.toLowerCase() !== username.toLowerCase()) {
    throw storeNotFound(`${label} "${raw.slice(0, 100)}"`);
  }
  return { idOrName: validateIdOrName(name), byId: false };
}

/**
 * Decides whether a request may go on: the right token opens everything; without a token only
 * reads addressed by a bare id pass ('anonymous'); a wrong token never passes.
 * @throws HttpError 401 token-not-provided / invalid-token
 */
export function authorize(
  presented: string | undefined,
  expected: string,
  anonymousAllowed: boolean,
): 'token' | 'anonymous' {
  if (presented !== undefined) {
    if (tokenMatches(presented, expected)) return 'token';
    throw unauthorized('invalid-token');
  }
  if (anonymousAllowed) return 'anonymous';
  throw unauthorized('token-not-provided');
}
