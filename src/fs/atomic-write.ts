import { randomBytes } from 'node:crypto';
import {
  closeSync,
  createWriteStream,
  fsyncSync,
  openSync,
  readFile as readFileCallback,
  readFileSync,
  renameSync,
  rmSync,
  writeFile as writeFileCallback,
  writeFileSync,
} from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isErrno, StorageError } from '../errors.js';
import { CORRUPT_DIR, TEMP_PREFIX } from './layout.js';

/** Options of the atomic writers. */
export interface WriteOptions {
  /** fsync the file and its folder before resolving (survives power loss). @default false */
  fsync?: boolean;
}

/** Longest part of the target's name kept in a temp file's name, so that it stays within 255 bytes. */
const TEMP_NAME_KEEP = 200;

/** Unique to this process (pids repeat across containers sharing a folder); a counter follows it. */
const TEMP_TAG = `${process.pid}.${randomBytes(4).toString('hex')}`;
let tempCounter = 0;

function tempPathFor(path: string): string {
  const name = basename(path).slice(0, TEMP_NAME_KEEP);
  tempCounter += 1;
  return join(dirname(path), `${TEMP_PREFIX}${name}.${TEMP_TAG}.${tempCounter.toString(36)}`);
}

/** fsyncs a folder, so that entries created, renamed or removed in it survive a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `fs.writeFile` with a callback, as a promise (faster than `fs/promises`' for small files, see readWhole). */
function writeWhole(path: string, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    writeFileCallback(path, data, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * Writes `data` to `path` so that readers see either the old file or the whole new one, never a
 * half-written file: write a temp file in the same folder, then rename it over the target.
 * The folder must exist.
 */
export async function writeAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const temp = tempPathFor(path);
  try {
    if (options.fsync) {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } else {
      await writeWhole(temp, data);
    }
    await rename(temp, path);
    if (options.fsync) await fsyncDir(dirname(path));
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined); // best effort: the original error matters
    throw err;
  }
}

/**
 * {@link writeAtomic} without leaving the thread: for the last writes of a process that is exiting,
 * when nothing asynchronous runs any more.
 */
export function writeAtomicSync(path: string, data: string | Uint8Array, options: WriteOptions = {}): void {
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'w');
    try {
      writeFileSync(fd, data);
      if (options.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** Like {@link writeAtomic}, for a stream of bytes that is never held in memory whole. Returns the size. */
export async function writeStreamAtomic(
  path: string,
  source: Readable,
  options: WriteOptions = {},
): Promise<number> {
  const temp = tempPathFor(path);
  let size = 0;
  source.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  try {
    await pipeline(source, createWriteStream(temp));
    if (options.fsync) {
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await rename(temp, path);
    if (options.fsync) await fsyncDir(dirname(path));
    return size;
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined); // best effort: the original error matters
    throw err;
  }
}

/** `JSON.stringify(value, null, 2)` written atomically. */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
  options: WriteOptions = {},
): Promise<void> {
  await writeAtomic(path, JSON.stringify(value, null, 2), options);
}

/**
 * `fs.readFile` with a callback, as a promise: for the small files of this layout it is about twice
 * as fast as `fs/promises`' `readFile`, which makes a round trip to the thread pool per step.
 */
function readWhole(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    readFileCallback(path, (err, data) => (err ? reject(err) : resolve(data)));
  });
}

/** {@link readFileOrUndefined} without leaving the thread (see {@link readInSlices}). */
export function readFileSyncOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  }
}

/** Files, and bytes, read synchronously by {@link readInSlices} before other work gets a turn. */
const SLICE_FILES = 64;
const SLICE_BYTES = 1024 * 1024;

/**
 * `items.map(read)` where `read` reads a small file synchronously and says how many bytes it read,
 * yielding to the event loop after every {@link SLICE_FILES} files or {@link SLICE_BYTES} bytes.
 * For files of a few kilobytes this is several times the throughput of the thread pool's round
 * trips per open, stat, read and close, and no slice holds the event loop for more than a
 * millisecond or so (or one big file).
 */
export async function readInSlices<T, R>(
  items: readonly T[],
  read: (item: T) => { result: R; bytes: number },
): Promise<R[]> {
  const out: R[] = [];
  let files = 0;
  let bytes = 0;
  for (const item of items) {
    if (files >= SLICE_FILES || bytes >= SLICE_BYTES) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      files = 0;
      bytes = 0;
    }
    const done = read(item);
    out.push(done.result);
    files += 1;
    bytes += done.bytes;
  }
  return out;
}

/** Reads a file, or `undefined` when it does not exist. */
export async function readFileOrUndefined(path: string): Promise<Buffer | undefined> {
  try {
    return await readWhole(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  }
}

/** Result of reading a JSON file: missing, parsed, or corrupt (the file does not parse). */
export type JsonRead<T> =
  | { state: 'missing' }
  | { state: 'ok'; value: T }
  | { state: 'corrupt'; error: Error };

/** Reads and parses a JSON file; never throws for a missing or unparsable file. */
export async function readJson<T = unknown>(path: string): Promise<JsonRead<T>> {
  return parseJson<T>(await readFileOrUndefined(path));
}

/** {@link readJson} without leaving the thread, for small files (see {@link readInSlices}). */
export function readJsonSync<T = unknown>(path: string): JsonRead<T> & { bytes: number } {
  const buf = readFileSyncOrUndefined(path);
  return { ...parseJson<T>(buf), bytes: buf?.length ?? 0 };
}

function parseJson<T>(buf: Buffer | undefined): JsonRead<T> {
  if (buf === undefined) return { state: 'missing' };
  try {
    return { state: 'ok', value: JSON.parse(buf.toString('utf8')) as T };
  } catch (err) {
    return { state: 'corrupt', error: err as Error };
  }
}

/** Reads and parses a JSON file, or `undefined` when it is missing or does not parse. */
export async function readJsonOrUndefined<T = unknown>(path: string): Promise<T | undefined> {
  const read = await readJson<T>(path);
  return read.state === 'ok' ? read.value : undefined;
}

/** Where a corrupt file went, for reports and `actor-storage doctor`. */
export interface MovedAside {
  file: string;
  movedTo: string;
  reason: string;
}

const corruptListeners = new Set<(event: MovedAside) => void>();

/** Subscribes to reports of files moved aside; returns the unsubscribe function. */
export function onCorruptFile(listener: (event: MovedAside) => void): () => void {
  corruptListeners.add(listener);
  return () => corruptListeners.delete(listener);
}

/**
 * Moves an unreadable file into the storage folder's `__corrupt__/` (never deletes it), reports it
 * to the listeners and as a process warning, and returns where it went.
 */
export async function moveAside(storeDir: string, file: string, reason: string): Promise<MovedAside> {
  const targetDir = join(storeDir, CORRUPT_DIR);
  await mkdir(targetDir, { recursive: true });
  const movedTo = join(targetDir, `${basename(file)}.${Date.now()}`);
  try {
    await rename(file, movedTo);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
    // Another process moved it first: nothing left to do.
  }
  const event = { file, movedTo, reason };
  for (const listener of corruptListeners) listener(event);
  process.emitWarning(`actor-storage: moved unreadable file ${file} to ${movedTo} (${reason})`, {
    code: 'STORAGE_CORRUPT',
  });
  return event;
}

/** Serialises a value to JSON or throws `STORAGE_INVALID_VALUE` (BigInt, circular, functions, symbols). */
export function toJson(value: unknown, what: string, space?: number): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, rejectUnserialisable, space);
  } catch (err) {
    throw new StorageError(
      'STORAGE_INVALID_VALUE',
      `${what} cannot be serialised to JSON: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (json === undefined) {
    throw new StorageError('STORAGE_INVALID_VALUE', `${what} cannot be serialised to JSON.`);
  }
  return json;
}

function rejectUnserialisable(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError(`the value at "${key}" is a ${typeof value}`);
  }
  return value;
}
