import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, StorageError } from '../errors.js';
import { fsyncDir, moveAside, readJson, writeAtomicSync, writeJsonAtomic } from './atomic-write.js';
import {
  KIND_LABEL,
  kindDir,
  looksLikeId,
  METADATA_FILE,
  newStoreId,
  resolveWithin,
  type StoreKind,
  validateIdOrName,
  validateName,
} from './layout.js';
import { storeLock } from './locks.js';

/** Fields of `__metadata__.json` common to every kind; kinds add their counters. */
export interface StoreMetadata {
  id: string;
  name?: string | null;
  userId?: string;
  createdAt: string;
  modifiedAt: string;
  accessedAt: string;
  [key: string]: unknown;
}

/** Where a store lives and what its metadata says. */
export interface StoreLocation {
  kind: StoreKind;
  id: string;
  /** `undefined` for an unnamed store. */
  name: string | undefined;
  /** Absolute path of the store folder. */
  dir: string;
  /** The metadata as read; a folder without `__metadata__.json` (written by a peer) gets a synthesised one. */
  metadata: StoreMetadata;
  /** True when the metadata file was missing or unreadable and was synthesised. */
  synthesised: boolean;
}

/** The lock that serialises creating, renaming and deleting stores of one kind. */
function collectionLock(storageDir: string, kind: StoreKind) {
  return storeLock(storageDir, kind, '__collection__', kindDir(storageDir, kind));
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return false;
    throw err;
  }
}

/** Reads the store folder `folder` of `kind`; `undefined` when it is not a folder. */
export async function readStoreFolder(
  storageDir: string,
  kind: StoreKind,
  folder: string,
): Promise<StoreLocation | undefined> {
  const dir = resolveWithin(kindDir(storageDir, kind), folder);
  if (!(await isDirectory(dir))) return undefined;
  const metaPath = join(dir, METADATA_FILE);
  const read = await readJson<StoreMetadata>(metaPath);
  if (
    read.state === 'ok' &&
    read.value &&
    typeof read.value === 'object' &&
    typeof read.value.id === 'string'
  ) {
    const name = typeof read.value.name === 'string' && read.value.name !== '' ? read.value.name : undefined;
    return { kind, id: read.value.id, name, dir, metadata: read.value, synthesised: false };
  }
  if (read.state === 'corrupt')
    await moveAside(dir, metaPath, `metadata does not parse: ${read.error.message}`);
  // A folder a peer wrote without metadata: its folder name is its name (or its id, when it looks like one).
  const created = (await stat(dir)).birthtime.toISOString();
  const isId =
    looksLikeId(folder) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(folder);
  const metadata: StoreMetadata = {
    id: folder,
    name: isId ? null : folder,
    createdAt: created,
    modifiedAt: created,
    accessedAt: created,
  };
  return { kind, id: folder, name: isId ? undefined : folder, dir, metadata, synthesised: true };
}

/** Names of the folders under `<storageDir>/<kind>/` (no lock folders, no hidden entries). */
export async function listStoreFolders(storageDir: string, kind: StoreKind): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(kindDir(storageDir, kind), { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.endsWith('.lock'))
    .map((e) => e.name)
    .sort();
}

/**
 * Finds a store by id or name: first the folder of that name (a named store, or an unnamed one
 * under its id), then, for an id, the folder whose metadata carries it.
 * @throws StorageError `STORAGE_INVALID_NAME` for an address that could be a path.
 */
export async function findStore(
  storageDir: string,
  kind: StoreKind,
  idOrName: string,
): Promise<StoreLocation | undefined> {
  validateIdOrName(idOrName);
  const direct = await readStoreFolder(storageDir, kind, idOrName);
  if (direct && (direct.id === idOrName || direct.name === idOrName)) return direct;
  for (const folder of await listStoreFolders(storageDir, kind)) {
    if (folder === idOrName) continue;
    const loc = await readStoreFolder(storageDir, kind, folder);
    if (loc && loc.id === idOrName) return loc;
  }
  return direct;
}

/** Like {@link findStore}, but throws `STORAGE_NOT_FOUND` when the store does not exist. */
export async function getStore(
  storageDir: string,
  kind: StoreKind,
  idOrName: string,
): Promise<StoreLocation> {
  const loc = await findStore(storageDir, kind, idOrName);
  if (!loc) {
    throw new StorageError('STORAGE_NOT_FOUND', `${KIND_LABEL[kind]} "${idOrName}" was not found.`, {
      details: { kind, idOrName },
    });
  }
  return loc;
}

/**
 * Opens the named store, creating it with `initial` metadata when it does not exist; without a
 * name, always creates a new unnamed store under a new id. Safe across processes.
 */
export async function getOrCreateStore(
  storageDir: string,
  kind: StoreKind,
  name: string | undefined,
  initial: Record<string, unknown>,
  options: { fsync?: boolean } = {},
): Promise<{ location: StoreLocation; created: boolean }> {
  if (name !== undefined) validateName(name);
  const existing = name === undefined ? undefined : await findStore(storageDir, kind, name);
  if (existing) return { location: existing, created: false };
  return collectionLock(storageDir, kind).run(async () => {
    if (name !== undefined) {
      const again = await findStore(storageDir, kind, name);
      if (again) return { location: again, created: false };
    }
    const id = newStoreId();
    const dir = resolveWithin(kindDir(storageDir, kind), name ?? id);
    await mkdir(dir, { recursive: true });
    const now = new Date().toISOString();
    const metadata: StoreMetadata = {
      id,
      name: name ?? null,
      createdAt: now,
      modifiedAt: now,
      accessedAt: now,
      ...initial,
    };
    await writeJsonAtomic(join(dir, METADATA_FILE), metadata, options);
    if (options.fsync) {
      // The new folder's entry, and its kind folder's (when it was just made), must last too.
      await fsyncDir(kindDir(storageDir, kind));
      await fsyncDir(storageDir);
    }
    return { location: { kind, id, name, dir, metadata, synthesised: false }, created: true };
  });
}

/** Writes a store's metadata atomically. */
export async function writeStoreMetadata(
  location: Pick<StoreLocation, 'dir'>,
  metadata: StoreMetadata,
  options: { fsync?: boolean } = {},
): Promise<void> {
  await writeJsonAtomic(join(location.dir, METADATA_FILE), metadata, options);
}

/** {@link writeStoreMetadata} without leaving the thread: for a process that is exiting. */
export function writeStoreMetadataSync(
  location: Pick<StoreLocation, 'dir'>,
  metadata: StoreMetadata,
  options: { fsync?: boolean } = {},
): void {
  writeAtomicSync(join(location.dir, METADATA_FILE), JSON.stringify(metadata, null, 2), options);
}

/**
 * Renames a store (or names an unnamed one, or unnames it with `null`). The id stays; the folder
 * moves to the new name (or to the id). `mutate` may adjust the metadata in the same write.
 * @throws StorageError `STORAGE_NAME_TAKEN` when another store of the kind has that name.
 */
export async function renameStore(
  storageDir: string,
  location: StoreLocation,
  newName: string | null,
  options: { fsync?: boolean } = {},
): Promise<StoreLocation> {
  if (newName !== null) validateName(newName);
  const { kind } = location;
  return collectionLock(storageDir, kind).run(async () => {
    const current = await getStore(storageDir, kind, location.id);
    if ((current.name ?? null) === newName) return current;
    const targetDir = resolveWithin(kindDir(storageDir, kind), newName ?? current.id);
    if (newName !== null && (await findStore(storageDir, kind, newName))) {
      throw new StorageError('STORAGE_NAME_TAKEN', `${KIND_LABEL[kind]} named "${newName}" already exists.`, {
        details: { kind, name: newName },
      });
    }
    if (await isDirectory(targetDir)) {
      throw new StorageError(
        'STORAGE_NAME_TAKEN',
        `A folder "${targetDir}" is already there; remove it first.`,
        {
          details: { kind, name: newName },
        },
      );
    }
    const metadata: StoreMetadata = {
      ...current.metadata,
      name: newName,
      modifiedAt: new Date().toISOString(),
    };
    await writeStoreMetadata(current, metadata, options);
    await rename(current.dir, targetDir);
    if (options.fsync) await fsyncDir(kindDir(storageDir, kind));
    return { ...current, name: newName ?? undefined, dir: targetDir, metadata, synthesised: false };
  });
}

/** Deletes a store folder and everything in it. Deleting a missing store does nothing. */
export async function deleteStore(storageDir: string, kind: StoreKind, idOrName: string): Promise<boolean> {
  return collectionLock(storageDir, kind).run(async () => {
    const loc = await findStore(storageDir, kind, idOrName);
    if (!loc) return false;
    // Move the folder out of sight first so that no reader sees a half-deleted store.
    const trash = join(kindDir(storageDir, kind), `.deleting-${loc.id}-${process.pid}-${Date.now()}`);
    await rename(loc.dir, trash);
    await rm(trash, { recursive: true, force: true });
    return true;
  });
}

/** Every store of a kind with its metadata, named and unnamed, sorted by creation time. */
export async function listStores(storageDir: string, kind: StoreKind): Promise<StoreLocation[]> {
  const out: StoreLocation[] = [];
  for (const folder of await listStoreFolders(storageDir, kind)) {
    let loc: StoreLocation | undefined;
    try {
      loc = await readStoreFolder(storageDir, kind, folder);
    } catch (err) {
      if (err instanceof StorageError && err.code === 'STORAGE_PATH_ESCAPE') continue; // not a store folder
      throw err;
    }
    if (loc) out.push(loc);
  }
  out.sort((a, b) => String(a.metadata.createdAt).localeCompare(String(b.metadata.createdAt)));
  return out;
}
