/**
 * Writing and deleting records, under the store lock. A write puts the value file first, then the
 * sidecar, then removes files the key had under another extension: a crash at any point leaves
 * either the old record or the new one readable (a sidecar whose file is missing is ignored; a
 * value file without its sidecar is read by extension).
 *
 * A write does not list the folder: the key's own sidecar, read under the lock, says which file
 * holds its current value, and the index adds what it knows of files other tools left for the key.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, toStorageError } from '../../errors.js';
import { fsyncDir, moveAside, readFileOrUndefined, writeAtomic, writeStreamAtomic } from '../atomic-write.js';
import { resolveWithin } from '../layout.js';
import type { Payload } from './encode.js';
import { candidateFiles, extensionFor, isSidecarName, sidecarFileName, valueFileName } from './naming.js';
import type { RecordEntry } from './resolve-entries.js';
import { parseSidecar, type Sidecar, sidecarText } from './sidecar.js';
import { prepareWrite, type StoreHandle } from './store-handle.js';

/** Writes record what they change in the index: the lock epoch (and the store check) stays valid. */
const COHERENT = { coherent: true } as const;

async function removeFiles(dir: string, names: readonly string[], fsync: boolean): Promise<void> {
  if (names.length === 0) return;
  await Promise.all(names.map((name) => rm(join(dir, name), { force: true })));
  if (fsync) await fsyncDir(dir); // a removed file must not come back after a power loss
}

/** Files of `key` the index knows of: its value, its sidecar, stale files from earlier writes. */
function knownFilesOf(h: StoreHandle, key: string): string[] {
  const entry = h.index.entries.get(key);
  return [...(entry?.files ?? []), ...(h.index.leftovers.get(key) ?? [])];
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

/**
 * The value file the key's sidecar claims right now (read under the lock, so exact even when
 * another process wrote the key since the index last listed the folder). A sidecar that does not
 * parse is moved aside.
 */
async function claimedBySidecar(h: StoreHandle, key: string): Promise<string | undefined> {
  const path = join(h.location.dir, sidecarFileName(key));
  const buf = await readFileOrUndefined(path);
  if (buf === undefined) return undefined;
  const sidecar = parseSidecar(buf.toString('utf8'));
  if (!sidecar) {
    if (!isJsonText(buf)) await moveAside(h.location.dir, path, 'record sidecar does not parse as JSON');
    return undefined;
  }
  for (const file of candidateFiles(key, sidecar.contentType, sidecar.extension)) {
    if (await exists(join(h.location.dir, file))) return file;
  }
  return undefined;
}

function isJsonText(buf: Buffer): boolean {
  try {
    JSON.parse(buf.toString('utf8'));
    return true;
  } catch {
    return false; // not JSON at all: a damaged sidecar
  }
}

/**
 * Every file of `key`: the one its sidecar claims now, and those the index knows of. A known value
 * file that has a sidecar of its own by now is another key's record stored under its bare name
 * (the index may be older than that): it is left alone.
 */
async function filesOf(h: StoreHandle, key: string): Promise<string[]> {
  const claimed = await claimedBySidecar(h, key);
  const out = new Set(claimed === undefined ? [] : [claimed]);
  for (const file of knownFilesOf(h, key)) {
    if (out.has(file)) continue;
    if (!isSidecarName(file) && (await exists(join(h.location.dir, sidecarFileName(file))))) continue;
    out.add(file);
  }
  return [...out];
}

async function writeValue(path: string, payload: Payload, fsync: boolean): Promise<number> {
  if (payload.kind === 'stream') return writeStreamAtomic(path, payload.stream, { fsync });
  await writeAtomic(path, payload.data, { fsync });
  return typeof payload.data === 'string' ? Buffer.byteLength(payload.data) : payload.data.byteLength;
}

async function writeSidecar(h: StoreHandle, sidecar: Sidecar): Promise<void> {
  const path = resolveWithin(h.location.dir, sidecarFileName(sidecar.key));
  await writeAtomic(path, sidecarText(sidecar), { fsync: h.fsync });
}

/**
 * Writes the value file, then its sidecar. A key with no file yet has no old record to keep
 * readable, so both are written at once: a crash leaves the value alone (read by its extension),
 * the sidecar alone (ignored without its file), or both.
 */
async function writeValueAndSidecar(
  h: StoreHandle,
  record: Omit<Sidecar, 'size'> & { path: string },
  payload: Payload,
  isNew: boolean,
): Promise<number> {
  const { path, ...named } = record;
  const value = writeValue(path, payload, h.fsync).catch((err: unknown) => {
    throw toStorageError(err, `Writing record "${record.key}"`);
  });
  if (!isNew || payload.kind === 'stream') {
    const size = await value;
    await writeSidecar(h, { ...named, size });
    return size;
  }
  const size = typeof payload.data === 'string' ? Buffer.byteLength(payload.data) : payload.data.byteLength;
  const [wroteValue, wroteSidecar] = await Promise.allSettled([value, writeSidecar(h, { ...named, size })]);
  if (wroteValue.status === 'rejected') {
    // A sidecar without its value is ignored; still, leave nothing of a write that failed.
    if (wroteSidecar.status === 'fulfilled') {
      await removeFiles(h.location.dir, [sidecarFileName(record.key)], h.fsync);
    }
    throw wroteValue.reason;
  }
  // As when written one after the other: the value stays, read by its extension.
  if (wroteSidecar.status === 'rejected') throw wroteSidecar.reason;
  return size;
}

/**
 * A record @crawlee/memory-storage stored under its bare key (`photo.png` for key "photo.png")
 * sits where we would write key "photo" as PNG: move it to its own `<key>.<ext>` first.
 */
async function relocateOccupant(h: StoreHandle, file: string): Promise<void> {
  const occupant = h.index.entries.get(file);
  if (!occupant || occupant.file !== file || occupant.contentType === undefined) return;
  const extension = extensionFor(occupant.contentType);
  const moved = valueFileName(occupant.key, extension);
  const dir = h.location.dir;
  await rename(resolveWithin(dir, file), resolveWithin(dir, moved));
  const size = occupant.size;
  const sidecar: Sidecar = { key: occupant.key, contentType: occupant.contentType, extension, size };
  await writeSidecar(h, sidecar);
  const files = [moved, ...occupant.files.filter((f) => f !== file && f !== moved)];
  h.index.applyChange(occupant.key, { ...occupant, file: moved, files }, [file], [moved], sidecar);
}

/**
 * Writes a record (already validated and serialised) under the store lock.
 * Errors after the payload started to be consumed are final (`STORAGE_IO`); earlier ones may be
 * retried by the caller after locating the store again.
 */
export async function writeRecord(
  h: StoreHandle,
  key: string,
  payload: Payload,
  contentType: string,
): Promise<void> {
  await h.lock.run(async ({ epoch }) => {
    await prepareWrite(h, epoch);
    const dir = h.location.dir;
    const extension = extensionFor(contentType);
    const file = valueFileName(key, extension);
    const sidecarName = sidecarFileName(key);
    const path = resolveWithin(dir, file);
    // Files other tools left (a hand-placed INPUT.json, a peer's records) are known from a listing:
    // list the folder once per process before the first write.
    if (h.index.refreshCount === 0) await h.index.ensureFresh();
    await relocateOccupant(h, file);
    const before = await filesOf(h, key);
    const size = await writeValueAndSidecar(
      h,
      { key, contentType, extension, path },
      payload,
      before.length === 0,
    );
    const sidecar: Sidecar = { key, contentType, extension, size };
    const stale = before.filter((f) => f !== file && f !== sidecarName);
    await removeFiles(dir, stale, h.fsync);
    const entry: RecordEntry = {
      key,
      file,
      contentType,
      hasSidecar: true,
      size,
      files: [file, sidecarName],
    };
    h.index.applyChange(key, entry, stale, [file, sidecarName], sidecar);
  }, COHERENT);
}

/** Deletes a record and every file of its key (value files first, then sidecars). Missing: nothing. */
export async function deleteRecordFiles(h: StoreHandle, key: string): Promise<void> {
  await h.lock.run(async ({ epoch }) => {
    await prepareWrite(h, epoch);
    // Unlike a write, a delete must find files placed by hand since the last listing too.
    await h.index.ensureFresh();
    const found = await filesOf(h, key);
    if (found.length === 0) return;
    const files = [...new Set([...found, sidecarFileName(key)])];
    await removeFiles(
      h.location.dir,
      files.filter((f) => !isSidecarName(f)),
      h.fsync,
    );
    await removeFiles(h.location.dir, files.filter(isSidecarName), h.fsync);
    h.index.applyChange(key, undefined, files, []);
  }, COHERENT);
}
