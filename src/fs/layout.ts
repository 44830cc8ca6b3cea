import { createHash, randomBytes } from 'node:crypto';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StorageError } from '../errors.js';

/** The three kinds of storage and their folder under the storage dir. */
export type StoreKind = 'datasets' | 'key_value_stores' | 'request_queues';

export const STORE_KINDS: readonly StoreKind[] = ['datasets', 'key_value_stores', 'request_queues'];

/** Human names of the kinds, for messages. */
export const KIND_LABEL: Readonly<Record<StoreKind, string>> = {
  datasets: 'Dataset',
  key_value_stores: 'Key-value store',
  request_queues: 'Request queue',
};

/** File holding a storage's metadata, in every storage folder. */
export const METADATA_FILE = '__metadata__.json';
/** Suffix of a key-value record's sidecar: `<key>.__metadata__.json` (@crawlee/memory-storage's naming). */
export const SIDECAR_SUFFIX = '.__metadata__.json';
/** Folder inside a storage folder where unreadable files are moved aside. */
export const CORRUPT_DIR = '__corrupt__';
/** Folder under the storage dir that holds the cross-process lock files. */
export const LOCKS_DIR = '.locks';
/** Prefix of temp files written before an atomic rename; never a valid key or item file. */
export const TEMP_PREFIX = '.tmp-';

/** Name of the default storage of a run. */
export const DEFAULT_STORE = 'default';

const NAME_RE = /^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const KEY_RE = /^[a-zA-Z0-9!\-_.'()]{1,256}$/;
const ID_RE = /^[a-zA-Z0-9]{17}$/;
/** Folder names peers may have written (ids, names, names with `_` or `.`); used to open, never to create. */
const FOLDER_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,255}$/;
const MAX_NAME = 63;
/** Windows device names are refused everywhere, so that a storage folder can be copied to any OS. */
const RESERVED_WIN = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const RESERVED_NAMES = new Set([METADATA_FILE, CORRUPT_DIR, LOCKS_DIR]);

/**
 * Checks a storage name: a-z, A-Z, 0-9 and `-` inside, at most 63 characters.
 * @throws StorageError `STORAGE_INVALID_NAME`
 */
export function validateName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME || !NAME_RE.test(name)) {
    throw new StorageError(
      'STORAGE_INVALID_NAME',
      `Invalid storage name ${JSON.stringify(typeof name === 'string' ? name.slice(0, 80) : name)}: use 1–63 characters a-z, A-Z, 0-9 and "-" (not at either end).`,
      { details: { name } },
    );
  }
  if (RESERVED_WIN.test(name)) {
    throw new StorageError('STORAGE_INVALID_NAME', `Storage name "${name}" is reserved; choose another.`, {
      details: { name },
    });
  }
  return name;
}

/**
 * Checks a record key against `^[a-zA-Z0-9!\-_.'()]{1,256}$`; `.`/`..`, reserved names and keys
 * containing `__metadata__` (the sidecar marker) are refused too.
 * @throws StorageError `STORAGE_INVALID_KEY`
 */
export function validateKey(key: unknown): string {
  if (typeof key !== 'string' || !KEY_RE.test(key) || key === '.' || key === '..') {
    throw new StorageError(
      'STORAGE_INVALID_KEY',
      `Invalid record key ${JSON.stringify(typeof key === 'string' ? key.slice(0, 80) : key)}: use 1–256 characters a-z, A-Z, 0-9 and !-_.'()`,
      { details: { key } },
    );
  }
  if (
    key.startsWith(TEMP_PREFIX) ||
    key.endsWith(SIDECAR_SUFFIX) ||
    // `<key>.__metadata__.json` is a sidecar: `x.__metadata__` stored as JSON would be taken for x's.
    key.includes('__metadata__') ||
    RESERVED_NAMES.has(key) ||
    RESERVED_WIN.test(key)
  ) {
    throw new StorageError('STORAGE_INVALID_KEY', `Record key "${key}" is reserved by the storage layout.`, {
      details: { key },
    });
  }
  return key;
}

/**
 * Checks a storage address used to open an existing storage: an id, a name, or a folder name a peer
 * wrote (letters, digits, `-`, `_`, `.`; no `..`). Anything that could be a path is refused.
 * New names must pass {@link validateName}.
 * @throws StorageError `STORAGE_INVALID_NAME`
 */
export function validateIdOrName(idOrName: unknown): string {
  if (
    typeof idOrName === 'string' &&
    FOLDER_RE.test(idOrName) &&
    !idOrName.includes('..') &&
    !RESERVED_WIN.test(idOrName) &&
    !idOrName.endsWith('.lock')
  ) {
    return idOrName;
  }
  throw new StorageError(
    'STORAGE_INVALID_NAME',
    `Invalid storage id or name ${JSON.stringify(typeof idOrName === 'string' ? idOrName.slice(0, 80) : idOrName)}.`,
    { details: { idOrName } },
  );
}

/** True for a platform-style 17-character store id. */
export function looksLikeId(value: string): boolean {
  return ID_RE.test(value);
}

/**
 * Joins `segment` to `base` and proves the result stays inside `base`. Every path built from a
 * user-supplied name, key or id goes through here before the disk is touched.
 * @throws StorageError `STORAGE_PATH_ESCAPE`
 */
export function resolveWithin(base: string, segment: string): string {
  const bad =
    segment.length === 0 ||
    segment.includes('\0') ||
    segment.includes('/') ||
    segment.includes('\\') ||
    segment === '.' ||
    segment === '..' ||
    isAbsolute(segment);
  const root = resolve(base);
  const target = resolve(root, segment);
  const rel = relative(root, target);
  if (bad || rel === '' || rel.startsWith('..') || rel.includes(sep) || isAbsolute(rel)) {
    throw new StorageError(
      'STORAGE_PATH_ESCAPE',
      `Refused path segment ${JSON.stringify(segment.slice(0, 80))}.`,
      {
        details: { segment },
      },
    );
  }
  return target;
}

/** `<storageDir>/<kind>` */
export function kindDir(storageDir: string, kind: StoreKind): string {
  return join(storageDir, kind);
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A new random 17-character store id, as the platform makes them. */
export function newStoreId(): string {
  const bytes = randomBytes(17);
  let id = '';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

/** Request id by the platform rule: first 15 chars of base64(sha256(uniqueKey)) without `+/=`. */
export function requestIdFromUniqueKey(uniqueKey: string): string {
  return createHash('sha256').update(uniqueKey).digest('base64').replace(/[+/=]/g, '').slice(0, 15);
}

/** File name of dataset item number `n` (1-based): 9 digits, wider past 999,999,999. */
export function itemFileName(n: number): string {
  return `${String(n).padStart(9, '0')}.json`;
}
