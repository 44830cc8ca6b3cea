/**
 * `doctor`: checks a storage folder and, with `fix`, repairs it. Finds files that do not parse,
 * missing or stale metadata, key-value records without sidecars, gaps in dataset numbering,
 * stray files and leftover temp files. Repairs never delete data: unreadable and stray files are
 * moved aside into the storage's `__corrupt__/` (see `moveAside`); only our own temp files and
 * folders of interrupted deletes are removed. Each storage is repaired under its store lock.
 */
import type { Dirent } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, StorageError, toStorageError } from '../errors.js';
import { moveAside, readJson } from './atomic-write.js';
import { checkDataset } from './doctor-datasets.js';
import { checkKeyValueStore } from './doctor-kvs.js';
import { checkRequestQueue, isQueueLayout } from './doctor-queues.js';
import {
  checkMetadataFile,
  type DoctorProblem,
  isJunkName,
  type StoreCheck,
  sortEntries,
} from './doctor-store.js';
import {
  CORRUPT_DIR,
  kindDir,
  METADATA_FILE,
  STORE_KINDS,
  type StoreKind,
  validateIdOrName,
} from './layout.js';
import { isStoreLocked, storeLock } from './locks.js';
import { INDEX_DIR } from './request-queue/queue-files.js';
import type { StoreMetadata } from './stores.js';

export type { DoctorProblem, DoctorProblemKind } from './doctor-store.js';

/** What `doctor` found (and, with `fix`, repaired). */
export interface DoctorReport {
  storageDir: string;
  /** True when problems were repaired as they were found. */
  fix: boolean;
  storagesChecked: number;
  filesChecked: number;
  problems: DoctorProblem[];
  /**
   * Storages another process held locked while they were checked (without `fix`): a problem
   * reported there may be a write in progress. `fix` waits for each lock instead.
   */
  inUse: string[];
}

/** Options of {@link doctorStorageDir}, checked by the caller. */
export interface DoctorRunOptions {
  fix: boolean;
  fsync: boolean;
  onProgress?: (done: number, total: number) => void;
}

type Checker = (check: StoreCheck, own: readonly Dirent[]) => Promise<void>;

const CHECKERS: Readonly<Record<StoreKind, Checker>> = {
  datasets: checkDataset,
  key_value_stores: checkKeyValueStore,
  request_queues: checkRequestQueue,
};

/** Folders an interrupted delete leaves: ours (`.deleting-…`) and @crawlee/memory-storage's. */
function isLeftoverFolder(name: string): boolean {
  return name.startsWith('.deleting-') || name.startsWith('__CRAWLEE_TEMPORARY') || name.startsWith('__OLD_');
}

interface Run {
  readonly storageDir: string;
  readonly options: DoctorRunOptions;
  readonly report: DoctorReport;
  total: number;
  tick(files?: number): void;
}

async function listOrEmpty(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return [];
    throw err;
  }
}

/** A store folder to check, with its entries listed once (for the progress total). */
interface Planned {
  kind: StoreKind;
  folder: string;
  entries: Dirent[];
}

function isValidFolderName(name: string): boolean {
  try {
    validateIdOrName(name);
    return true;
  } catch {
    return false; // not a name the engine opens: reported as stray
  }
}

/** Checks the entries of `<storageDir>/<kind>/` itself; returns the store folders to check. */
async function checkKindDir(run: Run, kind: StoreKind): Promise<Planned[]> {
  const { fix } = run.options;
  const dir = kindDir(run.storageDir, kind);
  const planned: Planned[] = [];
  for (const entry of await listOrEmpty(dir)) {
    const path = join(dir, entry.name);
    const base = { storage: kind, path, fixed: fix };
    if (entry.isDirectory() && isLeftoverFolder(entry.name)) {
      if (fix) await rm(path, { recursive: true, force: true });
      run.report.problems.push({
        ...base,
        kind: 'temp-file',
        message: 'A folder left by an interrupted delete.',
        action: fix ? 'removed' : undefined,
      });
    } else if (entry.isDirectory() && (entry.name.startsWith('.') || entry.name.endsWith('.lock'))) {
      // Hidden folders and lock folders are not storages; the engine ignores them too.
    } else if (entry.isDirectory() && isValidFolderName(entry.name)) {
      planned.push({ kind, folder: entry.name, entries: await listOrEmpty(path) });
    } else {
      const why = isJunkName(entry.name) ? 'a file the operating system left' : 'not a storage folder';
      const moved = fix ? await moveAside(run.storageDir, path, why) : undefined;
      run.report.problems.push({
        ...base,
        kind: 'stray-file',
        message: `${why[0]?.toUpperCase()}${why.slice(1)}.`,
        action: moved && `moved to ${moved.movedTo}`,
      });
    }
  }
  return planned;
}

/** The id the engines lock the store under: its metadata's, else its folder name (as they read it). */
async function lockIdOf(dir: string, folder: string): Promise<string> {
  const read = await readJson<StoreMetadata>(join(dir, METADATA_FILE));
  const id = read.state === 'ok' && read.value && typeof read.value === 'object' ? read.value.id : undefined;
  return typeof id === 'string' && id !== '' ? id : folder;
}

async function checkStore(run: Run, planned: Planned): Promise<void> {
  const { storageDir, options } = run;
  const { kind, folder } = planned;
  const dir = join(kindDir(storageDir, kind), folder);
  const label = `${kind}/${folder}`;
  let reported = 0;
  const body = async (entries: Dirent[]) => {
    const check: StoreCheck = {
      storageDir,
      kind,
      folder,
      dir,
      fix: options.fix,
      fsync: options.fsync,
      entries,
      meta: undefined,
      report: (problem) => {
        reported += 1;
        run.report.problems.push({ ...problem, storage: label });
      },
      tick: (files) => run.tick(files),
    };
    await checkMetadataFile(check);
    const own = await sortEntries(check, kind === 'request_queues' ? isQueueLayout : undefined);
    await CHECKERS[kind](check, own);
    // Make every process that has the queue open index it again from the repaired files.
    if (options.fix && reported > 0 && kind === 'request_queues') {
      await rm(join(dir, INDEX_DIR), { recursive: true, force: true });
    }
  };
  const id = await lockIdOf(dir, folder);
  if (!options.fix) {
    if (await isStoreLocked(storageDir, kind, id)) run.report.inUse.push(label);
    await body(planned.entries);
    return;
  }
  await storeLock(storageDir, kind, id, dir).run(async () => body(await listOrEmpty(dir)));
}

/** Files of a store folder that get checked (and ticked): all but the layout folders, plus a missing metadata file. */
function filesToCheck(entries: readonly Dirent[]): number {
  const layout = entries.filter((e) => e.isDirectory() && (e.name === CORRUPT_DIR || e.name === INDEX_DIR));
  const metadata = entries.some((e) => e.name === METADATA_FILE) ? 0 : 1;
  return entries.length - layout.length + metadata;
}

async function assertFolder(storageDir: string): Promise<void> {
  try {
    if ((await stat(storageDir)).isDirectory()) return;
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  throw new StorageError('STORAGE_NOT_FOUND', `The storage folder ${storageDir} does not exist.`, {
    details: { storageDir },
  });
}

/**
 * Checks every storage of a storage folder; with `fix`, repairs what it finds (see the module
 * comment). A second run after a fix reports nothing.
 *
 * @throws StorageError `STORAGE_NOT_FOUND` when the folder does not exist, `STORAGE_IO` when a file
 *   cannot be read or moved.
 */
export async function doctorStorageDir(storageDir: string, options: DoctorRunOptions): Promise<DoctorReport> {
  await assertFolder(storageDir);
  const report: DoctorReport = {
    storageDir,
    fix: options.fix,
    storagesChecked: 0,
    filesChecked: 0,
    problems: [],
    inUse: [],
  };
  const run: Run = {
    storageDir,
    options,
    report,
    total: 0,
    tick(files = 1) {
      report.filesChecked += files;
      options.onProgress?.(Math.min(report.filesChecked, run.total), run.total);
    },
  };
  try {
    const planned: Planned[] = [];
    for (const kind of STORE_KINDS) planned.push(...(await checkKindDir(run, kind)));
    run.total = planned.reduce((sum, p) => sum + filesToCheck(p.entries), 0);
    for (const store of planned) {
      await checkStore(run, store);
      report.storagesChecked += 1;
    }
    options.onProgress?.(run.total, run.total);
  } catch (err) {
    throw toStorageError(err, `Checking ${storageDir}`);
  }
  return report;
}
