/**
 * The in-memory index of one key-value store: key → { file, contentType, size }, built from one
 * `readdir` (plus the sidecars) and reused while the folder has not changed, so that reads and key
 * listings on a store of many records do not list the folder on every call.
 *
 * The cache is valid while the folder's mtime equals the one seen at the last listing, and that
 * mtime was older than the listing by more than the timestamp granularity: otherwise a change made
 * in the same clock tick would go unseen (git's "racily clean" rule), and the next access lists
 * again. A listing reads only the sidecars that are new or whose files changed.
 *
 * Writers do not list the folder (that would make each write cost O(records)): they read the key's
 * own sidecar and record their change here (`applyChange`). Any write moves the folder's mtime, so
 * the next reader lists again; changes this process made meanwhile are kept (`mergeTouched`).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileOrUndefined } from '../atomic-write.js';
import { asKey, isLayoutFile, isSidecarName, naturalKey, sidecarFileName } from './naming.js';
import { type RecordEntry, resolveEntries, type SidecarState } from './resolve-entries.js';
import { parseSidecar, type Sidecar } from './sidecar.js';
import { SortedKeys } from './sorted-keys.js';

/**
 * A folder mtime this close to the listing may hide a change made in the same clock tick: a few
 * scheduler ticks on filesystems with sub-second timestamps, more than 2 s on those that keep
 * whole seconds (FAT, HFS+, some network filesystems).
 */
const RACY_MS = 50;
const RACY_MS_COARSE = 2100;
/** Sidecars read at once during a refresh. */
const READ_BATCH = 64;

interface Token {
  mtimeNs: bigint;
  trusted: boolean;
}

export class RecordIndex {
  entries = new Map<string, RecordEntry>();
  leftovers = new Map<string, string[]>();
  /** How many times the folder was listed (for tests and diagnostics). */
  refreshCount = 0;
  private readonly sorted = new SortedKeys();
  private names = new Set<string>();
  private readonly sidecars = new Map<string, SidecarState>();
  private readonly statSizes = new Map<string, number>();
  private token: Token | undefined;
  /** The lock epoch in which writers last proved the folder still holds this store. */
  checkedEpoch: number | undefined;
  private version = 0;
  private readonly touched = new Map<string, number>();
  private mutex: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  /**
   * Makes the index reflect the folder, listing it again only when it may have changed. Resolves
   * true when nothing in the folder changed since the index last saw it (no file was created,
   * renamed or removed: every atomic write renames), so that what it holds is the folder as it is.
   */
  async ensureFresh(): Promise<boolean> {
    if (await this.mtimeUnchanged()) return true;
    const startedBefore = this.refreshCount;
    const run = this.mutex.then(async () => {
      // A listing that began after this call was made is as fresh as one of our own.
      if (this.refreshCount > startedBefore) return;
      if (!(await this.mtimeUnchanged())) await this.refresh();
    });
    this.mutex = run.catch(() => undefined); // the next caller retries; this caller gets the error
    await run;
    return false;
  }

  /** True when the key's sidecar was read (or written here) since the folder last changed under us. */
  knowsSidecarOf(key: string): boolean {
    return this.sidecars.get(sidecarFileName(key))?.fresh === true;
  }

  /** Forces the next access to list the folder again (after a read found the index out of date). */
  markStale(): void {
    this.token = undefined;
  }

  /**
   * Records a change this process made under the store lock: `entry` (or its absence) for `key`,
   * files removed from and added to the folder, and the sidecar written.
   */
  applyChange(
    key: string,
    entry: RecordEntry | undefined,
    removed: readonly string[],
    added: readonly string[],
    sidecar?: Sidecar,
  ): void {
    this.version += 1;
    this.touched.set(key, this.version);
    if (entry) {
      if (!this.entries.has(key)) this.sorted.insert(key);
      this.entries.set(key, entry);
    } else if (this.entries.delete(key)) this.sorted.remove(key);
    this.leftovers.delete(key);
    for (const name of removed) {
      this.names.delete(name);
      this.sidecars.delete(name);
      this.statSizes.delete(name);
    }
    for (const name of added) this.names.add(name);
    if (sidecar) this.sidecars.set(sidecarFileName(key), { sidecar, fresh: true });
  }

  /** Keys in UTF-8 binary order. */
  sortedKeys(): readonly string[] {
    return this.sorted.keys(this.entries.keys());
  }

  /** The record's size: from its sidecar when trusted, else from `stat` (never by reading the value). */
  async sizeOf(entry: RecordEntry): Promise<number> {
    if (entry.size !== undefined) return entry.size;
    const cached = this.statSizes.get(entry.file);
    if (cached !== undefined) return cached;
    const { size } = await stat(join(this.dir, entry.file));
    this.statSizes.set(entry.file, size);
    return size;
  }

  private async mtimeUnchanged(): Promise<boolean> {
    if (!this.token?.trusted) return false;
    const st = await stat(this.dir, { bigint: true });
    return st.mtimeNs === this.token.mtimeNs;
  }

  private async refresh(): Promise<void> {
    this.refreshCount += 1;
    const startVersion = this.version;
    const before = await stat(this.dir, { bigint: true });
    const listedAt = Date.now();
    const dirents = await readdir(this.dir, { withFileTypes: true });
    const names = new Set<string>();
    for (const d of dirents) if (d.isFile() && !isLayoutFile(d.name)) names.add(d.name);

    const foreign = this.token === undefined || before.mtimeNs !== this.token.mtimeNs;
    const toRead = this.sidecarsToRead(names, foreign);
    await this.readSidecars(toRead, names);

    const valueFiles = [...names].filter((n) => !isSidecarName(n));
    const sidecarNames = [...names].filter(isSidecarName);
    const { entries, leftovers } = resolveEntries(valueFiles, sidecarNames, this.sidecars);
    this.mergeTouched(entries, startVersion);
    this.entries = entries;
    this.leftovers = leftovers;
    this.names = names;
    this.sorted.reset();
    this.touched.clear();
    const coarse = before.mtimeNs % 1_000_000_000n === 0n;
    const racy = listedAt - Number(before.mtimeMs) <= (coarse ? RACY_MS_COARSE : RACY_MS);
    this.token = { mtimeNs: before.mtimeNs, trusted: this.version === startVersion && !racy };
  }

  /** New sidecars, and after a change by another process, the sidecars of keys whose files changed. */
  private sidecarsToRead(names: ReadonlySet<string>, foreign: boolean): string[] {
    const out = new Set<string>();
    for (const name of this.sidecars.keys()) if (!names.has(name)) this.sidecars.delete(name);
    for (const name of names) if (isSidecarName(name) && !this.sidecars.has(name)) out.add(name);
    if (!foreign) return [...out];
    for (const state of this.sidecars.values()) state.fresh = false;
    this.statSizes.clear();
    const changed = [...names].filter((n) => !this.names.has(n));
    for (const n of this.names) if (!names.has(n)) changed.push(n);
    for (const name of changed) {
      if (isSidecarName(name)) continue;
      for (const key of [naturalKey(name), asKey(name)]) {
        const sidecar = key === undefined ? undefined : sidecarFileName(key);
        if (sidecar !== undefined && names.has(sidecar)) out.add(sidecar);
      }
    }
    return [...out];
  }

  private async readSidecars(list: string[], names: Set<string>): Promise<void> {
    for (let i = 0; i < list.length; i += READ_BATCH) {
      await Promise.all(
        list.slice(i, i + READ_BATCH).map(async (name) => {
          const path = join(this.dir, name);
          const buf = await readFileOrUndefined(path);
          if (buf === undefined) {
            names.delete(name); // removed since the listing
            return;
          }
          const sidecar = parseSidecar(buf.toString('utf8'));
          this.sidecars.set(name, { sidecar, fresh: true });
        }),
      );
    }
  }

  /** Keeps what local writes recorded while the folder was being listed: they are newer. */
  private mergeTouched(entries: Map<string, RecordEntry>, startVersion: number): void {
    for (const [key, version] of this.touched) {
      if (version <= startVersion) continue;
      const current = this.entries.get(key);
      if (current) entries.set(key, current);
      else entries.delete(key);
    }
  }
}

const registry = new Map<string, RecordIndex>();

/** The index of a store, shared by every client of this process; rebuilt when the store moved. */
export function recordIndexFor(storageDir: string, id: string, dir: string): RecordIndex {
  const key = `${storageDir}\0${id}`;
  let index = registry.get(key);
  if (!index || index.dir !== dir) {
    index = new RecordIndex(dir);
    registry.set(key, index);
  }
  return index;
}

/** The index of a store if this process has one, without creating it. */
export function peekRecordIndex(storageDir: string, id: string): RecordIndex | undefined {
  return registry.get(`${storageDir}\0${id}`);
}

/** Drops the index of a store (after it was deleted, renamed or purged). */
export function forgetRecordIndex(storageDir: string, id: string): void {
  registry.delete(`${storageDir}\0${id}`);
}
