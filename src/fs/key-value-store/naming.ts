/**
 * How key-value records are named on disk, shared with @crawlee/memory-storage and @apify/storage-local:
 * the value lives in `<key>.<ext>` (the extension from its content type, via mime-types) and the
 * sidecar in `<key>.__metadata__.json`. Peers may also leave `<key>` itself (memory-storage does
 * when the key already ends with the right extension) or files with no sidecar at all.
 */
import { extname } from 'node:path';
import mime from 'mime-types';
import { isStorageError, StorageError } from '../../errors.js';
import { METADATA_FILE, SIDECAR_SUFFIX, TEMP_PREFIX, validateKey } from '../layout.js';

/** Extension used when the content type has none in mime-types (as both peers do). */
export const DEFAULT_EXTENSION = 'bin';

/** Content type of a value file whose extension mime-types does not know. */
export const UNKNOWN_CONTENT_TYPE = 'application/octet-stream';

/** The extension a record of this content type is written with: `json`, `txt`, `png`, `bin` … */
export function extensionFor(contentType: string): string {
  return mime.extension(contentType) || DEFAULT_EXTENSION;
}

/** Longest file name, in bytes, that common filesystems accept (ext4, APFS, NTFS). */
export const MAX_FILE_NAME_BYTES = 255;

/**
 * Checks that a record's value file and sidecar names fit in a file name: keys longer than 237
 * characters, valid on the platform, cannot be stored in a local folder.
 * @throws StorageError `STORAGE_INVALID_KEY`
 */
export function checkKeyFitsOnDisk(key: string, extension: string): void {
  const longest = Math.max(
    Buffer.byteLength(sidecarFileName(key)),
    Buffer.byteLength(valueFileName(key, extension)),
  );
  if (longest > MAX_FILE_NAME_BYTES) {
    throw new StorageError(
      'STORAGE_INVALID_KEY',
      `Record key "${key.slice(0, 40)}…" is too long to be stored as a file (${key.length} characters; at most ${MAX_FILE_NAME_BYTES - longest + key.length} here).`,
      { details: { key, limit: MAX_FILE_NAME_BYTES - longest + key.length } },
    );
  }
}

/** Name of the value file we write for `key` with this extension. */
export function valueFileName(key: string, extension: string): string {
  return `${key}.${extension}`;
}

/** Name of the sidecar of `key` (memory-storage's naming, so that it reads ours and we read its). */
export function sidecarFileName(key: string): string {
  return `${key}${SIDECAR_SUFFIX}`;
}

/** True for a sidecar file of any peer (memory-storage tests `.__metadata__.` the same way). */
export function isSidecarName(name: string): boolean {
  return name !== METADATA_FILE && name.endsWith(SIDECAR_SUFFIX);
}

/** True for files that are part of the layout but never records: store metadata and temp files. */
export function isLayoutFile(name: string): boolean {
  return name === METADATA_FILE || name.startsWith(TEMP_PREFIX);
}

/**
 * Files editors and operating systems leave beside records, never records themselves: hidden files
 * (`.DS_Store`, vim's `.INPUT.json.swp`), backups (`INPUT.json~`, `#INPUT.json#`), Thumbs.db, desktop.ini.
 */
const NOT_A_RECORD_RE = /^\.|~$|^#.*#$|^(e?thumbs\.db|desktop\.ini)$/i;

/**
 * The key a value file stands for when no sidecar claims it: its name without the last extension
 * (`INPUT.json` → `INPUT`, `INPUT` → `INPUT`), as both peers read it. `undefined` when that is not a
 * valid key, or for the files editors and operating systems leave (the file is then not a record).
 */
export function naturalKey(fileName: string): string | undefined {
  if (NOT_A_RECORD_RE.test(fileName)) return undefined;
  const ext = extname(fileName);
  return asKey(ext === '' ? fileName : fileName.slice(0, -ext.length));
}

/** `text` when it is a valid record key, else `undefined`. */
export function asKey(text: string): string | undefined {
  try {
    return validateKey(text);
  } catch (err) {
    if (isStorageError(err, 'STORAGE_INVALID_KEY')) return undefined;
    throw err;
  }
}

/**
 * Content type of a value file without sidecar, from its extension. `undefined` for a file without
 * extension (`INPUT` placed by hand): its content decides when it is read.
 */
export function contentTypeFromFileName(fileName: string): string | undefined {
  const ext = extname(fileName);
  if (ext === '') return undefined;
  return mime.contentType(ext) || UNKNOWN_CONTENT_TYPE;
}

/** The files that may hold the value a sidecar describes, most likely first. */
export function candidateFiles(key: string, contentType: string, sidecarExtension?: string): string[] {
  const out: string[] = [];
  if (sidecarExtension && /^[a-zA-Z0-9+_.-]{1,32}$/.test(sidecarExtension)) {
    out.push(valueFileName(key, sidecarExtension));
  }
  const ours = valueFileName(key, extensionFor(contentType));
  if (!out.includes(ours)) out.push(ours);
  out.push(key);
  return out;
}

const PREFERRED_EXTENSIONS = ['.json', '', '.txt', '.bin'];

/**
 * Orders value files that stand for the same key without a sidecar (`INPUT.json` and `INPUT.txt`
 * both placed by hand): JSON first, then no extension, text, binary, then the rest by name.
 */
export function compareCandidates(a: string, b: string): number {
  const rank = (name: string): number => {
    const i = PREFERRED_EXTENSIONS.indexOf(extname(name).toLowerCase());
    return i === -1 ? PREFERRED_EXTENSIONS.length : i;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Compares keys in UTF-8 binary order, as the platform lists them (not `localeCompare`). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
