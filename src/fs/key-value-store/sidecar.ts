/**
 * The sidecar `<key>.__metadata__.json` next to a record: the authority on the record's content type.
 * We write `{ key, contentType, extension, size }`; @crawlee/memory-storage writes
 * `{ key, contentType, extension }` and reads ours (it merges the fields over what the file name says).
 */
import { isStorageError } from '../../errors.js';
import { validateKey } from '../layout.js';

/** What a sidecar says about its record. */
export interface Sidecar {
  key: string;
  contentType: string;
  /** Extension of the value file, when the writer recorded it (both we and memory-storage do). */
  extension?: string;
  /** Size of the value in bytes; missing in sidecars written by memory-storage. */
  size?: number;
}

/** The sidecar's JSON text. */
export function sidecarText(sidecar: Sidecar): string {
  return JSON.stringify(
    { key: sidecar.key, contentType: sidecar.contentType, extension: sidecar.extension, size: sidecar.size },
    null,
    2,
  );
}

/**
 * Parses a sidecar. `undefined` when it is not JSON or lacks a valid `key` and `contentType`:
 * such a sidecar is ignored, and its value file is read by extension.
 */
export function parseSidecar(text: string): Sidecar | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined; // the caller decides whether to move it aside (only under the store lock)
  }
  if (typeof raw === 'string') {
    // @crawlee/memory-storage 3.x writes its sidecars JSON-encoded twice (a JSON string of JSON).
    try {
      raw = JSON.parse(raw);
    } catch {
      return undefined; // a JSON string that is not JSON inside: not a sidecar
    }
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { key, contentType, extension, size } = raw as Record<string, unknown>;
  if (typeof key !== 'string' || typeof contentType !== 'string' || contentType === '') return undefined;
  try {
    validateKey(key);
  } catch (err) {
    if (isStorageError(err, 'STORAGE_INVALID_KEY')) return undefined;
    throw err;
  }
  const out: Sidecar = { key, contentType };
  if (typeof extension === 'string' && extension !== '') out.extension = extension;
  if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) out.size = size;
  return out;
}
