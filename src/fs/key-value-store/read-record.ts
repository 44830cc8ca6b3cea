/**
 * Reading records. The index says which file holds a key; the sidecar is read again with the value
 * (it is the authority on the content type). A file that vanished under us (another writer changed
 * the record) makes the index list the folder again and the read retry.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyValueStoreRecord } from '../../client/types.js';
import { isErrno, StorageError } from '../../errors.js';
import { moveAside, readFileOrUndefined } from '../atomic-write.js';
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
async function currentTarget(h: StoreHandle, entry: RecordEntry): Promise<Target | undefined> {
  if (!entry.hasSidecar) return { file: entry.file, contentType: entry.contentType };
  const buf = await readFileOrUndefined(join(h.location.dir, sidecarFileName(entry.key)));
  if (buf === undefined) return undefined;
  const sidecar = parseSidecar(buf.toString('utf8'));
  if (!sidecar) return { file: entry.file, contentType: entry.contentType };
  const candidates = candidateFiles(entry.key, sidecar.contentType, sidecar.extension);
  return candidates.includes(entry.file) ? { file: entry.file, contentType: sidecar.contentType } : undefined;
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
 * Before this process ever listed the folder, a key written with a sidecar is read straight from
 * it: a lone `getRecord` (INPUT, a saved state) in a new process lists nothing. `undefined` when
 * the key has no such sidecar and value file: the index decides.
 */
async function openBySidecar(h: StoreHandle, key: string): Promise<Opened | undefined> {
  const buf = await readFileOrUndefined(join(h.location.dir, sidecarFileName(key)));
  const sidecar = buf && parseSidecar(buf.toString('utf8'));
  if (!sidecar?.extension || sidecar.key !== key) return undefined;
  const target = { file: valueFileName(key, sidecar.extension), contentType: sidecar.contentType };
  const handle = await openOrUndefined(join(h.location.dir, target.file));
  return handle && { target, handle };
}

interface Opened {
  target: Target;
  handle: FileHandle;
}

/** The key's value file, open: `none` when the key has no record, `retry` when it changed under us. */
async function openRecord(h: StoreHandle, key: string): Promise<Opened | 'none' | 'retry'> {
  const direct = h.index.refreshCount === 0 ? await openBySidecar(h, key) : undefined;
  if (direct) return direct;
  const unchanged = await h.index.ensureFresh();
  const entry = h.index.entries.get(key);
  if (!entry) return 'none';
  // Nothing was renamed in the folder since the index read the key's sidecar: it still holds.
  const known = unchanged && entry.hasSidecar && h.index.knowsSidecarOf(key);
  const target = known ? { file: entry.file, contentType: entry.contentType } : await currentTarget(h, entry);
  const handle = target && (await openOrUndefined(join(h.location.dir, target.file)));
  return target && handle ? { target, handle } : 'retry';
}

async function readOnce(h: StoreHandle, key: string, mode: ReadMode): Promise<Attempt> {
  const opened = await openRecord(h, key);
  if (opened === 'none') return { done: true, record: undefined };
  if (opened === 'retry') return { done: false };
  const { target, handle } = opened;
  const sniffed = target.contentType === undefined;
  let contentType: string;
  let buf: Buffer;
  let streaming = false;
  try {
    contentType = target.contentType ?? (await sniff(handle));
    if (mode === 'stream') {
      streaming = true; // the stream owns the handle now and closes it
      return { done: true, record: { key, value: createReadStream('', { fd: handle }), contentType } };
    }
    buf = await handle.readFile();
  } finally {
    if (!streaming) await handle.close();
  }
  if (mode === 'buffer') return { done: true, record: { key, value: buf, contentType } };
  const decoded = decode(buf, contentType, sniffed);
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
    const result = await readOnce(h, key, mode);
    if (result.done) return result.record;
    h.index.markStale();
  }
  return undefined; // the record kept changing under us: it is being deleted or rewritten right now
}
