/**
 * What every storage folder gets checked for by `doctor`, whatever its kind: its metadata file,
 * leftover temp files, files an operating system drops (`.DS_Store` …) and files the layout has
 * no place for. The kind-specific checks live in doctor-datasets.ts, doctor-kvs.ts, doctor-queues.ts.
 */
import type { Dirent } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from '../errors.js';
import { moveAside, readJson } from './atomic-write.js';
import { CORRUPT_DIR, METADATA_FILE, type StoreKind, TEMP_PREFIX } from './layout.js';
import { STALE_LOCK_MS } from './locks.js';
import { readStoreFolder, type StoreMetadata, writeStoreMetadata } from './stores.js';

/** What kind of problem `doctor` found. */
export type DoctorProblemKind =
  /** A file that does not parse (item, record, sidecar, request, metadata) or holds the wrong shape. */
  | 'unparsable-file'
  /** A storage folder without a readable `__metadata__.json`. */
  | 'missing-metadata'
  /** Metadata whose counters disagree with the files. */
  | 'stale-metadata'
  /** A key-value record file without its `<file>.__metadata__.json` sidecar. */
  | 'record-without-sidecar'
  /** A sidecar whose record file is gone. */
  | 'orphan-sidecar'
  /** Missing numbers among a dataset's item files. */
  | 'dataset-gap'
  /** A file or folder the layout has no place for (`.DS_Store`, `notes.txt` …). */
  | 'stray-file'
  /** A temp file left by an interrupted write, or a folder left by an interrupted delete. */
  | 'temp-file';

/** One problem found by `doctor`. */
export interface DoctorProblem {
  kind: DoctorProblemKind;
  /** `<kind folder>/<storage folder>`, such as `datasets/products`; `undefined` for the storage dir itself. */
  storage: string | undefined;
  /** Absolute path of the file or folder concerned. */
  path: string;
  message: string;
  /** True when `--fix` repaired it. */
  fixed: boolean;
  /** What the fix did (moved aside to …, removed, rewritten …). */
  action?: string;
}

/** Names operating systems and file managers drop into folders. */
const JUNK_RE = /^(\.DS_Store|\._.*|Thumbs\.db|ehthumbs\.db|desktop\.ini|\.directory)$/i;

/** Temp files younger than this may belong to a write in progress; they are left alone. */
export const TEMP_GRACE_MS = STALE_LOCK_MS;

/** True for files an operating system or file manager drops into folders. */
export function isJunkName(name: string): boolean {
  return JUNK_RE.test(name);
}

/** The state of one storage folder being checked, and how to report on it. */
export interface StoreCheck {
  readonly storageDir: string;
  readonly kind: StoreKind;
  readonly folder: string;
  readonly dir: string;
  readonly fix: boolean;
  readonly fsync: boolean;
  /** The folder's entries, as listed once at the start. */
  readonly entries: readonly Dirent[];
  /** The metadata as read; `undefined` when missing or unreadable (already reported). */
  meta: StoreMetadata | undefined;
  /** Adds a problem to the report. */
  report(problem: Omit<DoctorProblem, 'storage'>): void;
  /** Counts checked files, for progress. */
  tick(files?: number): void;
}

/** Path of a file of the storage folder. */
export function pathOf(check: StoreCheck, name: string): string {
  return join(check.dir, name);
}

/**
 * Checks `__metadata__.json`: a file that does not parse or has no `id` is reported (and with fix
 * moved aside); a missing one is reported. Sets `check.meta` to the readable metadata, if any.
 */
export async function checkMetadataFile(check: StoreCheck): Promise<void> {
  const path = pathOf(check, METADATA_FILE);
  const read = await readJson<StoreMetadata>(path);
  check.tick();
  if (read.state === 'ok' && isMetadata(read.value)) {
    check.meta = read.value;
    return;
  }
  if (read.state !== 'missing') {
    const reason = read.state === 'corrupt' ? `does not parse (${read.error.message})` : 'has no "id"';
    const moved = check.fix ? await moveAside(check.dir, path, `metadata ${reason}`) : undefined;
    check.report({
      kind: 'unparsable-file',
      path,
      message: `The metadata file ${reason}.`,
      fixed: check.fix,
      action: moved && `moved to ${moved.movedTo}`,
    });
  }
  check.report({
    kind: 'missing-metadata',
    path,
    message: 'The storage has no readable metadata file.',
    fixed: check.fix,
    action: check.fix ? 'written from the files' : undefined,
  });
}

function isMetadata(value: unknown): value is StoreMetadata {
  return typeof value === 'object' && value !== null && typeof (value as StoreMetadata).id === 'string';
}

/** One counter that disagrees with the files. */
export interface Mismatch {
  field: string;
  recorded: unknown;
  actual: unknown;
}

/**
 * Reports stale metadata, and with fix writes the metadata again with `counts` merged in: over
 * the metadata read, or (when it was missing) over what the engine would make up for the folder.
 */
export async function settleMetadata(
  check: StoreCheck,
  counts: Record<string, unknown>,
  mismatches: readonly Mismatch[],
): Promise<void> {
  const { meta } = check;
  if (meta && mismatches.length > 0) {
    const detail = mismatches
      .map(
        (m) =>
          `${m.field} is ${JSON.stringify(m.recorded ?? null)}, the files say ${JSON.stringify(m.actual)}`,
      )
      .join('; ');
    check.report({
      kind: 'stale-metadata',
      path: pathOf(check, METADATA_FILE),
      message: `The metadata is stale: ${detail}.`,
      fixed: check.fix,
      action: check.fix ? 'counts rewritten' : undefined,
    });
  }
  if (!check.fix || (meta && mismatches.length === 0)) return;
  const base = meta ?? (await readStoreFolder(check.storageDir, check.kind, check.folder))?.metadata;
  if (!base) return; // the folder vanished meanwhile
  await writeStoreMetadata({ dir: check.dir }, { ...base, ...counts }, { fsync: check.fsync });
}

/** What the shared checks made of an entry that is not the kind's own. */
async function checkTemp(check: StoreCheck, entry: Dirent, now: number): Promise<void> {
  const path = pathOf(check, entry.name);
  let mtime: number;
  try {
    mtime = (await stat(path)).mtimeMs;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return; // its write finished meanwhile
    throw err;
  }
  if (now - mtime < TEMP_GRACE_MS) return; // may be a write in progress
  if (check.fix) await rm(path, { recursive: true, force: true });
  check.report({
    kind: 'temp-file',
    path,
    message: 'A temp file left by an interrupted write.',
    fixed: check.fix,
    action: check.fix ? 'removed' : undefined,
  });
}

/** Reports a file the layout has no place for; with fix, moves it aside into `__corrupt__/`. */
export async function reportStray(check: StoreCheck, name: string, why: string): Promise<void> {
  const path = pathOf(check, name);
  const moved = check.fix ? await moveAside(check.dir, path, why) : undefined;
  check.report({
    kind: 'stray-file',
    path,
    message: `${why[0]?.toUpperCase()}${why.slice(1)}.`,
    fixed: check.fix,
    action: moved && `moved to ${moved.movedTo}`,
  });
}

/**
 * Sorts the folder's entries: metadata, `__corrupt__/` and the kind's layout entries are skipped,
 * temp files and junk are handled here, and the rest is returned for the kind's own checks.
 * @param isLayout names the kind keeps besides its data (`__index__/` of a queue).
 */
export async function sortEntries(
  check: StoreCheck,
  isLayout: (entry: Dirent) => boolean = () => false,
): Promise<Dirent[]> {
  const now = Date.now();
  const own: Dirent[] = [];
  for (const entry of check.entries) {
    const { name } = entry;
    if (name === METADATA_FILE || (name === CORRUPT_DIR && entry.isDirectory()) || isLayout(entry)) continue;
    if (name.startsWith(TEMP_PREFIX)) {
      check.tick();
      await checkTemp(check, entry, now);
    } else if (isJunkName(name)) {
      check.tick();
      await reportStray(check, name, 'a file the operating system left');
    } else own.push(entry);
  }
  return own;
}
