/**
 * Retention of unnamed storages, as on the platform: an unnamed dataset, key-value store or request
 * queue expires some time (7 days by default) after its last modification; named storages are kept
 * until dropped. `collectGarbage` finds the expired ones and deletes each under its own store lock.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isErrno, toStorageError } from '../errors.js';
import { readJson } from './atomic-write.js';
import { forgetRecordIndex } from './key-value-store/index.js';
import { DEFAULT_STORE, METADATA_FILE, STORE_KINDS, type StoreKind } from './layout.js';
import { isStoreLocked, storeLock } from './locks.js';
import { forgetEngine } from './request-queue/registry.js';
import {
  deleteStore,
  findStore,
  listStoreFolders,
  readStoreFolder,
  type StoreLocation,
  type StoreMetadata,
} from './stores.js';

/** Environment variables that name the default storages of a run (Apify SDK and Actor runtime). */
const DEFAULT_ID_ENV: Readonly<Record<StoreKind, readonly string[]>> = {
  datasets: ['ACTOR_DEFAULT_DATASET_ID', 'APIFY_DEFAULT_DATASET_ID'],
  key_value_stores: ['ACTOR_DEFAULT_KEY_VALUE_STORE_ID', 'APIFY_DEFAULT_KEY_VALUE_STORE_ID'],
  request_queues: ['ACTOR_DEFAULT_REQUEST_QUEUE_ID', 'APIFY_DEFAULT_REQUEST_QUEUE_ID'],
};

/** Files stat'ed at once while measuring a folder. */
const STAT_CONCURRENCY = 32;

/** Why an unnamed storage was kept. */
export type GcKeepReason = 'recent' | 'default' | 'locked' | 'unreadable';

/** One unnamed storage that `gc` looked at. */
export interface GcEntry {
  kind: StoreKind;
  id: string;
  /** Absolute path of its folder. */
  dir: string;
  /** Its last modification: the later of the metadata's `modifiedAt` and the folder's mtime. */
  modifiedAt: Date;
  /** Bytes of its files (measured only for storages that are, or would be, removed). */
  bytes: number;
}

/** What `gc` did, or (dry run) would do. */
export interface GcResult {
  /** Storages removed (or, with `dryRun`, that would be removed). */
  removed: GcEntry[];
  /** Unnamed storages kept, and why. Named storages are never examined. */
  kept: Array<GcEntry & { reason: GcKeepReason }>;
  /** Bytes freed (or that would be freed). */
  bytesFreed: number;
  dryRun: boolean;
  /** Storages last modified before this moment expire. */
  cutoff: Date;
}

/** Input of {@link collectGarbage}, checked by the caller. */
export interface GcPlan {
  storageDir: string;
  /** Milliseconds after its last modification that an unnamed storage expires. */
  olderThanMs: number;
  dryRun: boolean;
  /** The current time. */
  now: Date;
  /** Called after each unnamed storage is handled: `done` of `total`. */
  onProgress?: (done: number, total: number) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Sum of the sizes of the files under `dir` (symbolic links counted as links, never followed).
 * A file removed while measuring counts as 0; a missing folder is 0.
 */
export async function folderBytes(dir: string): Promise<number> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return 0;
    throw err;
  }
  let total = 0;
  for (let i = 0; i < entries.length; i += STAT_CONCURRENCY) {
    const sizes = await Promise.all(
      entries.slice(i, i + STAT_CONCURRENCY).map((entry) => entryBytes(join(dir, entry.name), entry)),
    );
    for (const size of sizes) total += size;
  }
  return total;
}

async function entryBytes(path: string, entry: Dirent): Promise<number> {
  if (entry.isDirectory()) return folderBytes(path);
  try {
    return (await lstat(path)).size;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return 0; // removed while measuring
    throw err;
  }
}

/** The later of the metadata's `modifiedAt` and the folder's mtime (record writes move only the latter). */
export async function lastModified(location: StoreLocation): Promise<Date> {
  const fromMeta = Date.parse(String(location.metadata.modifiedAt));
  let folder = 0;
  try {
    folder = (await stat(location.dir)).mtimeMs;
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err; // deleted meanwhile: the metadata is all there is
  }
  return new Date(Math.max(Number.isNaN(fromMeta) ? 0 : fromMeta, folder));
}

/** True for the default storage of a run: folder or id `default`, or the id the environment names. */
export function isDefaultStore(location: StoreLocation, env: NodeJS.ProcessEnv = process.env): boolean {
  if (location.id === DEFAULT_STORE || basename(location.dir) === DEFAULT_STORE) return true;
  if (location.name === DEFAULT_STORE) return true;
  return DEFAULT_ID_ENV[location.kind].some((name) => env[name] !== undefined && env[name] === location.id);
}

/**
 * Reads a store folder without side effects: a metadata file that does not parse is reported as
 * `unreadable` (left for `doctor`), never moved aside here.
 */
async function readQuietly(
  storageDir: string,
  kind: StoreKind,
  folder: string,
): Promise<StoreLocation | 'unreadable' | undefined> {
  const dir = join(storageDir, kind, folder);
  const meta = await readJson<StoreMetadata>(join(dir, METADATA_FILE));
  if (meta.state === 'corrupt') return 'unreadable';
  if (meta.state === 'ok' && (typeof meta.value !== 'object' || meta.value === null)) return 'unreadable';
  return readStoreFolder(storageDir, kind, folder);
}

interface Candidate {
  kind: StoreKind;
  folder: string;
}

/** Every unnamed-looking folder of every kind (named ones are filtered once their metadata is read). */
async function candidates(storageDir: string): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const kind of STORE_KINDS) {
    for (const folder of await listStoreFolders(storageDir, kind)) out.push({ kind, folder });
  }
  return out;
}

function entryOf(location: StoreLocation, modifiedAt: Date, bytes = 0): GcEntry {
  return { kind: location.kind, id: location.id, dir: location.dir, modifiedAt, bytes };
}

/**
 * Deletes the store under its lock, after checking again (under the lock) that it is still the
 * same unnamed store and still expired. Returns false when it no longer qualifies.
 */
async function deleteIfStillExpired(storageDir: string, location: StoreLocation, cutoff: Date) {
  const { kind, id } = location;
  return storeLock(storageDir, kind, id, location.dir).run(async () => {
    const again = await findStore(storageDir, kind, id);
    if (!again || again.name !== undefined || again.dir !== location.dir) return false;
    if ((await lastModified(again)).getTime() >= cutoff.getTime()) return false;
    await deleteStore(storageDir, kind, id);
    if (kind === 'key_value_stores') forgetRecordIndex(storageDir, id);
    if (kind === 'request_queues') forgetEngine(storageDir, id);
    return true;
  });
}

type Verdict = { remove: GcEntry } | { keep: GcEntry & { reason: GcKeepReason } } | undefined;

async function judge(plan: GcPlan, candidate: Candidate, cutoff: Date): Promise<Verdict> {
  const { storageDir } = plan;
  const read = await readQuietly(storageDir, candidate.kind, candidate.folder);
  if (read === undefined) return undefined; // gone meanwhile
  if (read === 'unreadable') {
    const dir = join(storageDir, candidate.kind, candidate.folder);
    const entry = { kind: candidate.kind, id: candidate.folder, dir, modifiedAt: new Date(0), bytes: 0 };
    return { keep: { ...entry, reason: 'unreadable' } };
  }
  if (read.name !== undefined && read.name !== DEFAULT_STORE) return undefined; // named: never touched
  const modifiedAt = await lastModified(read);
  if (isDefaultStore(read, plan.env)) return { keep: { ...entryOf(read, modifiedAt), reason: 'default' } };
  if (modifiedAt.getTime() >= cutoff.getTime()) {
    return { keep: { ...entryOf(read, modifiedAt), reason: 'recent' } };
  }
  if (await isStoreLocked(storageDir, read.kind, read.id)) {
    return { keep: { ...entryOf(read, modifiedAt), reason: 'locked' } };
  }
  const bytes = await folderBytes(read.dir);
  if (!plan.dryRun && !(await deleteIfStillExpired(storageDir, read, cutoff))) {
    return { keep: { ...entryOf(read, await lastModified(read), bytes), reason: 'recent' } };
  }
  return { remove: entryOf(read, modifiedAt, bytes) };
}

/**
 * Deletes the unnamed storages of a storage folder that were last modified more than
 * `olderThanMs` ago. Never touches a named storage, the default storages of a run (`default`, or
 * the ids in `ACTOR_DEFAULT_*_ID` / `APIFY_DEFAULT_*_ID`), a storage another process holds locked,
 * or one whose metadata does not parse (run `doctor`). With `dryRun`, removes nothing and reports
 * what it would remove.
 *
 * @throws StorageError `STORAGE_IO` when a folder cannot be read or removed.
 */
export async function collectGarbage(plan: GcPlan): Promise<GcResult> {
  const cutoff = new Date(plan.now.getTime() - plan.olderThanMs);
  const result: GcResult = { removed: [], kept: [], bytesFreed: 0, dryRun: plan.dryRun, cutoff };
  try {
    const all = await candidates(plan.storageDir);
    let done = 0;
    for (const candidate of all) {
      const verdict = await judge(plan, candidate, cutoff);
      if (verdict && 'remove' in verdict) {
        result.removed.push(verdict.remove);
        result.bytesFreed += verdict.remove.bytes;
      } else if (verdict) result.kept.push(verdict.keep);
      done += 1;
      plan.onProgress?.(done, all.length);
    }
  } catch (err) {
    throw toStorageError(err, 'Collecting expired storages');
  }
  return result;
}
