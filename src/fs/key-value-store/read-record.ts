/**
 * Reading records. The index says which file holds a key; the sidecar is read again with the value
 * (it is the authority on the content type) unless the folder is unchanged since the index read it. A file that vanished under us (another writer changed
 * the record) makes the index list the folder again and the read retry.
 */
import { closeSync, createReadStream, fstatSync, openSync, readFileSync } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { KeyValueStoreRecord } from '../../client/types.js';
import { isErrno, StorageError } from '../../errors.js';
import { moveAside, readFileOrUndefined, readFileSyncOrUndefined } from '../atomic-write.js';
import { mediaType, TEXT_CONTENT_TYPE } from './content-type.js';
import { type Decoded, decodeValue, SNIFF_BYTES, sniffContentType } from './decode.js';
import { candidateFiles, isSidecarName, sidecarFileName, valueFileName } from './naming.js';
import type { RecordEntry } from './resolve-entries.js';
import { parseSidecar } from './sidecar.js';
import type { StoreHandle } from './store-handle.js';

/** How a record's value is returned: decoded by content type, as a Buffer, or as a file stream. */
export type ReadMode = 'value' | 'buffer' | 'stream';

const ATTEMPTS = 5;

interface Target {
  file: string;
  /** `undefined`: a file without extension or sidecar; its first bytes decide. */
  contentType: string | undefined;
}

/** The file and content type to read for an entry, checked against its sidecar as it is now. */
function currentTarget(entry: RecordEntry, dir: string): Found | undefined {
  const asIndexed = { target: { file: entry.file, contentType: entry.contentType }, size: undefined };
  if (!entry.hasSidecar) return asIndexed;
  const buf = readFileSyncOrUndefined(join(dir, sidecarFileName(entry.key)));
  if (buf === undefined) return undefined;
  const sidecar = parseSidecar(buf.toString('utf8'));
  if (!sidecar) return asIndexed;
  const candidates = candidateFiles(entry.key, sidecar.contentType, sidecar.extension);
  if (!candidates.includes(entry.file)) return undefined;
  return { target: { file: entry.file, contentType: sidecar.contentType }, size: sidecar.size };
}

async function openOrUndefined(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

async function sniff(handle: FileHandle): Promise<string> {
  const prefix = Buffer.alloc(SNIFF_BYTES);
  const { bytesRead } = await handle.read(prefix, 0, SNIFF_BYTES, 0);
  return sniffContentType(prefix.subarray(0, bytesRead));
}

/**
 * Moves a record file that does not parse as its content type says into `__corrupt__/`, under the
 * lock and only if it is still the same unreadable file; returns where it went, or `undefined` when
 * the record changed meanwhile (the caller reads again).
 */
async function quarantine(h: StoreHandle, key: string, target: Target, error: Error) {
  return h.lock.run(async () => {
    await h.index.ensureFresh();
    const entry = h.index.entries.get(key);
    if (!entry || entry.file !== target.file || target.contentType === undefined) return undefined;
    const path = join(h.location.dir, target.file);
    const buf = await readFileOrUndefined(path);
    if (!buf || decodeValue(buf, target.contentType).state === 'ok') return undefined;
    const reason = `record "${key}" does not parse as ${mediaType(target.contentType)}: ${error.message}`;
    const moved = await moveAside(h.location.dir, path, reason);
    // Its sidecars describe a value that is gone; another file of the key may now be the record.
    const sidecars = entry.files.filter(isSidecarName);
    await Promise.all(sidecars.map((name) => rm(join(h.location.dir, name), { force: true })));
    h.index.markStale();
    return moved;
  });
}

/** Decodes a whole file; a file without declared type that does not parse as JSON is text. */
function decode(buf: Buffer, contentType: string, sniffed: boolean): Decoded & { contentType: string } {
  const decoded = decodeValue(buf, contentType);
  if (decoded.state === 'corrupt' && sniffed) {
    return { state: 'ok', value: buf.toString('utf8'), contentType: TEXT_CONTENT_TYPE };
  }
  return { ...decoded, contentType };
}

type Attempt = { done: true; record: KeyValueStoreRecord | undefined } | { done: false };

/**
 * Records up to this size (known from the sidecar) are read in one synchronous call: for the small
 * JSON records of a run (state, INPUT) that is several times faster than the thread pool's round
 * trips, and it holds the event loop for a few tens of microseconds.
 */
const SYNC_READ_MAX = 256 * 1024;

/**
 * The whole file in synchronous calls when it is at most SYNC_READ_MAX bytes (checked on the open
 * file, whatever its sidecar says); `large` when it is bigger, `undefined` when it does not exist.
 */
function readSmallFileSync(path: string): Buffer | 'large' | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  try {
    return fstatSync(fd).size > SYNC_READ_MAX ? 'large' : readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Where a key's value is, and its size when its sidecar says (see SYNC_READ_MAX). */
interface Found {
  target: Target;
  size: number | undefined;
}

/**
 * Before this process ever listed the folder, a key written with a sidecar is read straight from
 * it: a lone `getRecord` (INPUT, a saved state) in a new process lists nothing. `undefined` when
 * the key has no such sidecar: the index decides.
 */
function findBySidecar(h: StoreHandle, key: string): Found | undefined {
  const buf = readFileSyncOrUndefined(join(h.location.dir, sidecarFileName(key)));
  const sidecar = buf && parseSidecar(buf.toString('utf8'));
  if (!sidecar?.extension || sidecar.key !== key) return undefined;
  return {
    target: { file: valueFileName(key, sidecar.extension), contentType: sidecar.contentType },
    size: sidecar.size,
  };
}

/** Where the key's value is: `none` when the key has no record, `retry` when it changed under us. */
async function findRecord(h: StoreHandle, key: string, direct: boolean): Promise<Found | 'none' | 'retry'> {
  const bySidecar = direct && h.index.refreshCount === 0 ? findBySidecar(h, key) : undefined;
  if (bySidecar) return bySidecar;
  const unchanged = await h.index.ensureFresh();
  const entry = h.index.entries.get(key);
  if (!entry) return 'none';
  // Nothing was renamed in the folder since the index read the key's sidecar: it still holds.
  const known = unchanged && entry.hasSidecar && h.index.knowsSidecarOf(key);
  if (known) return { target: { file: entry.file, contentType: entry.contentType }, size: entry.size };
  return currentTarget(entry, h.location.dir) ?? 'retry';
}

/** The whole value, read in one synchronous call when it is small and its type known, else through a handle. */
async function readValue(
  path: string,
  found: Found,
  mode: ReadMode,
): Promise<{ value: Buffer | Readable; contentType: string } | undefined> {
  const { contentType } = found.target;
  if (mode !== 'stream' && contentType !== undefined && (found.size ?? SYNC_READ_MAX + 1) <= SYNC_READ_MAX) {
    const small = readSmallFileSync(path);
    if (small !== 'large') return small && { value: small, contentType };
    // The file outgrew its sidecar's size (rewritten meanwhile, or replaced by hand): read it as a big one.
  }
  const handle = await openOrUndefined(path);
  if (!handle) return undefined;
  let streaming = false;
  try {
    const type = contentType ?? (await sniff(handle));
    if (mode === 'stream') {
      streaming = true; // the stream owns the handle now and closes it
      return { value: createReadStream('', { fd: handle }), contentType: type };
    }
    return { value: await handle.readFile(), contentType: type };
  } finally {
    if (!streaming) await handle.close();
  }
}

async function readOnce(h: StoreHandle, key: string, mode: ReadMode, direct: boolean): Promise<Attempt> {
  const found = await findRecord(h, key, direct);
  if (found === 'none') return { done: true, record: undefined };
  if (found === 'retry') return { done: false };
  const { target } = found;
  const read = await readValue(join(h.location.dir, target.file), found, mode);
  if (!read) return { done: false };
  const { value, contentType } = read;
  if (mode !== 'value') return { done: true, record: { key, value, contentType } };
  const decoded = decode(value as Buffer, contentType, target.contentType === undefined);
  if (decoded.state === 'ok') {
    return { done: true, record: { key, value: decoded.value, contentType: decoded.contentType } };
  }
  const moved = await quarantine(h, key, target, decoded.error);
  if (!moved) return { done: false };
  throw new StorageError(
    'STORAGE_CORRUPT',
    `Record "${key}" does not parse as ${mediaType(contentType)}; the file was moved to ${moved.movedTo}.`,
    { cause: decoded.error, details: { key, file: moved.file, movedTo: moved.movedTo } },
  );
}

/** Reads a record; `undefined` when the key has none. */
export async function readRecord(
  h: StoreHandle,
  key: string,
  mode: ReadMode,
): Promise<KeyValueStoreRecord | undefined> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    // Straight from the sidecar on the first attempt only: a retry goes through the index.
    const result = await readOnce(h, key, mode, attempt === 1);
    if (result.done) return result.record;
    h.index.markStale();
  }
  return undefined; // the record kept changing under us: it is being deleted or rewritten right now
}
