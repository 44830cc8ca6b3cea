/**
 * Works out, from a folder listing and the parsed sidecars, which file holds which key. Pure: no I/O.
 *
 * Rules (readable for folders either peer wrote):
 * 1. A valid sidecar claims the first of its candidate files that exists (`<key>.<ext>`, then `<key>`);
 *    a sidecar whose file is missing is ignored.
 * 2. A value file no sidecar claims stands for its name without the last extension, its content type
 *    from that extension. Several such files for one key: JSON first (see `compareCandidates`).
 * 3. Every other file of a key (an older value with another extension, a stray sidecar) is listed in
 *    the entry's `files`, so that the next write or delete of the key removes it.
 */
import {
  candidateFiles,
  compareCandidates,
  contentTypeFromFileName,
  naturalKey,
  sidecarFileName,
} from './naming.js';
import type { Sidecar } from './sidecar.js';

/** Where one record lives. */
export interface RecordEntry {
  key: string;
  /** The value file to read. */
  file: string;
  /** From the sidecar; from the extension without one; `undefined` for a file without extension. */
  contentType: string | undefined;
  /** True when a sidecar claims `file`. */
  hasSidecar: boolean;
  /** Size in bytes when known without touching the disk (from a sidecar read since the last change). */
  size: number | undefined;
  /** Every file of this key on disk: `file`, its sidecar, and stale files a write or delete removes. */
  files: string[];
}

/** A parsed sidecar as cached by the index; `sidecar` is `undefined` when the file is not a valid one. */
export interface SidecarState {
  sidecar: Sidecar | undefined;
  /** False when the file may have been replaced since it was read (its `size` is then not trusted). */
  fresh: boolean;
}

/** The outcome: records by key, and files that belong to no record (orphan sidecars) by key. */
export interface ResolvedEntries {
  entries: Map<string, RecordEntry>;
  leftovers: Map<string, string[]>;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Groups sidecar files by the key they describe; the canonical name wins over a copy. */
function sidecarsByKey(
  sidecarNames: Iterable<string>,
  states: ReadonlyMap<string, SidecarState>,
  leftovers: Map<string, string[]>,
): BySidecar {
  const out: BySidecar = new Map();
  for (const name of sidecarNames) {
    const sidecar = states.get(name)?.sidecar;
    if (!sidecar) {
      const key = naturalKey(name.slice(0, name.indexOf('.__metadata__')));
      if (key !== undefined) push(leftovers, key, name);
      continue;
    }
    const seen = out.get(sidecar.key);
    if (!seen) out.set(sidecar.key, { name, sidecar, all: [name] });
    else {
      seen.all.push(name);
      if (name === sidecarFileName(sidecar.key)) Object.assign(seen, { name, sidecar });
    }
  }
  return out;
}

type BySidecar = Map<string, { name: string; sidecar: Sidecar; all: string[] }>;

/**
 * Rule 1. Two passes: `<key>.<ext>` claims first, so that a bare `<key>` file is only taken by a
 * sidecar when no other sidecar's `<key>.<ext>` is that same file.
 */
function claimBySidecars(
  bySidecar: BySidecar,
  fileSet: ReadonlySet<string>,
  states: ReadonlyMap<string, SidecarState>,
  entries: Map<string, RecordEntry>,
): Set<string> {
  const claimed = new Set<string>();
  for (const pass of [0, 1]) {
    for (const [key, { sidecar, all, name }] of bySidecar) {
      if (entries.has(key)) continue;
      const candidates = candidateFiles(key, sidecar.contentType, sidecar.extension);
      const pick = (pass === 0 ? candidates.slice(0, -1) : candidates.slice(-1)).find(
        (f) => fileSet.has(f) && !claimed.has(f),
      );
      if (pick === undefined) continue;
      claimed.add(pick);
      const fresh = states.get(name)?.fresh ?? false;
      entries.set(key, {
        key,
        file: pick,
        contentType: sidecar.contentType,
        hasSidecar: true,
        size: fresh ? sidecar.size : undefined,
        files: [pick, ...all],
      });
    }
  }
  return claimed;
}

/** Rule 2 and 3: value files no sidecar claims, by the key their name stands for. */
function addUnclaimed(
  fileSet: ReadonlySet<string>,
  claimed: ReadonlySet<string>,
  entries: Map<string, RecordEntry>,
) {
  const unclaimed = new Map<string, string[]>();
  for (const file of fileSet) {
    if (claimed.has(file)) continue;
    const key = naturalKey(file);
    if (key !== undefined) push(unclaimed, key, file);
  }
  for (const [key, files] of unclaimed) {
    const entry = entries.get(key);
    if (entry) {
      entry.files.push(...files); // stale: the sidecar's file is the record
      continue;
    }
    files.sort(compareCandidates);
    const file = files[0] as string;
    const contentType = contentTypeFromFileName(file);
    entries.set(key, { key, file, contentType, hasSidecar: false, size: undefined, files });
  }
}

/**
 * Resolves the records of a store folder.
 * @param valueFiles names of regular files that are neither sidecars nor layout files
 * @param sidecarNames names of sidecar files
 * @param states parsed sidecars by file name
 */
export function resolveEntries(
  valueFiles: Iterable<string>,
  sidecarNames: Iterable<string>,
  states: ReadonlyMap<string, SidecarState>,
): ResolvedEntries {
  const leftovers = new Map<string, string[]>();
  const entries = new Map<string, RecordEntry>();
  const fileSet = new Set(valueFiles);
  const bySidecar = sidecarsByKey(sidecarNames, states, leftovers);
  const claimed = claimBySidecars(bySidecar, fileSet, states, entries);
  for (const [key, { all }] of bySidecar) {
    if (!entries.has(key)) for (const name of all) push(leftovers, key, name);
  }
  addUnclaimed(fileSet, claimed, entries);
  for (const [key, names] of leftovers) {
    const entry = entries.get(key);
    if (entry) {
      entry.files.push(...names);
      leftovers.delete(key);
    }
  }
  return { entries, leftovers };
}
