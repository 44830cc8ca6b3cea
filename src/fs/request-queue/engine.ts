/**
 * One queue as this process sees it: the in-memory index kept in step with the journal that all
 * processes append to. Reads replay the journal's new lines and answer without the store lock;
 * changes run under it as transactions: journal lines, request files, metadata, commit.
 */
import { rm, stat } from 'node:fs/promises';
import { isErrno, toStorageError } from '../../errors.js';
import type { StoreLock } from '../locks.js';
import { encodeOp, type JournalOp, readJournal } from './journal.js';
import { type LoadedQueue, loadQueue, rotateJournal } from './loader.js';
import { writeQueueMetadata } from './metadata.js';
import { journalLimits, MetadataSchedule, type QueueFiles } from './queue-files.js';
import type { QueueIndex } from './queue-index.js';
import { recoverUncommitted } from './recovery.js';
import { type RequestFile, requestFilePath, writeRequestFile } from './request-file.js';

/** A change being planned: journal lines (already applied to the index) and file effects. */
export class Transaction {
  readonly ops: JournalOp[] = [];
  readonly writes = new Map<string, RequestFile>();
  readonly deletes = new Set<string>();
  /** Requests were added, changed or deleted (not only locked). */
  modified = false;
  /** Counts or flags in the metadata change. */
  metadataChanged = false;
  /** Commit even without changes, to record the queue folder's new mtime (after a rename). */
  forceCommit = false;
  /** Write `__metadata__.json` with this change even if it was written moments ago. */
  flushMetadata = false;

  constructor(
    readonly index: QueueIndex,
    readonly now: number,
  ) {}

  /** Records `op` and applies it to the index at once (the index is reloaded if the change fails). */
  apply(op: JournalOp): void {
    this.ops.push(op);
    this.index.apply(op);
    if (op.op === 'add' || op.op === 'handle' || op.op === 'pend' || op.op === 'delete') {
      this.modified = true;
      this.metadataChanged = true;
    } else if (op.op === 'client') this.metadataChanged = true;
  }

  /** Writes (or rewrites) a request file as part of the change. */
  write(file: RequestFile): void {
    this.writes.set(file.id, file);
    this.modified = true;
  }

  /** Removes a request file as part of the change. */
  remove(id: string): void {
    this.deletes.add(id);
  }
}

type TailResult =
  | { kind: 'ok'; uncommitted: JournalOp[]; size: number }
  | { kind: 'missing' }
  | { kind: 'reload' };

export class QueueEngine {
  private loaded: LoadedQueue | undefined;
  /** Inode of the journal last read, for the one-stat check that nothing changed. */
  private journalIno: number | undefined;
  /** Lock epoch of this process's last change (see sync); undefined after anything else. */
  private syncedEpoch: number | undefined;
  /** Serialises journal reads and offset updates within this process. */
  private chain: Promise<unknown> = Promise.resolve();

  /** When `__metadata__.json` is rewritten (see MetadataSchedule). */
  readonly metadata = new MetadataSchedule();

  constructor(
    readonly files: QueueFiles,
    readonly lock: StoreLock,
  ) {}

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The index as last read, without reading the journal (for cheap listings); may lag behind. */
  peek(): QueueIndex | undefined {
    return this.loaded?.index;
  }

  /** Forgets the in-memory index; the next operation reloads it from disk. */
  invalidate(): void {
    this.loaded = undefined;
    this.syncedEpoch = undefined;
    this.journalIno = undefined;
  }

  /** Runs `fn` over an up-to-date index, without the store lock. */
  async read<T>(fn: (index: QueueIndex) => T | Promise<T>): Promise<T> {
    const loaded = this.loaded;
    if (loaded) {
      const tailed = await this.exclusive(() => this.tail());
      // No journal: a rotation is half done, or the queue is gone (then this throws ENOENT).
      if (tailed.kind === 'missing') await stat(this.files.dir);
      if (tailed.kind !== 'reload' && this.loaded === loaded) return fn(loaded.index);
    }
    const synced = await this.lock.run(() => this.sync());
    return fn(synced.index);
  }

  /**
   * Runs `plan` under the store lock with an up-to-date index, then commits what it recorded.
   * If anything fails after the plan changed the index, the index is reloaded from disk.
   */
  write<T>(plan: (tx: Transaction) => T | Promise<T>): Promise<T> {
    return this.lock.run(
      async ({ epoch }) => {
        const loaded = await this.sync(epoch);
        const tx = new Transaction(loaded.index, Date.now());
        try {
          const result = await plan(tx);
          await this.commit(tx, loaded);
          await this.maybeRotate(loaded);
          this.syncedEpoch = epoch;
          return result;
        } catch (err) {
          if (tx.ops.length > 0 || tx.writes.size > 0 || tx.deletes.size > 0) this.invalidate();
          throw err;
        }
      },
      // Every change lands in the index and the journal: within the epoch, no one else wrote.
      { coherent: true },
    );
  }

  /**
   * Brings the index up to date under the store lock: load, replay, finish a dead writer's change.
   * Within the lock epoch of this process's last change, the journal is as that change left it.
   */
  private async sync(epoch?: number): Promise<LoadedQueue> {
    const loaded = this.loaded;
    if (loaded && epoch !== undefined && epoch === this.syncedEpoch) return loaded;
    this.syncedEpoch = undefined;
    if (loaded) {
      const tailed = await this.exclusive(() => this.tail());
      if (tailed.kind === 'ok' && this.loaded === loaded) {
        if (tailed.uncommitted.length > 0 || tailed.size !== loaded.offset) {
          // Under the store lock nobody is writing: these lines are left by a change that failed.
          loaded.offset = await recoverUncommitted(
            this.files,
            loaded.index,
            tailed.uncommitted,
            loaded.offset,
          );
        }
        return loaded;
      }
    }
    await this.files.closeJournal(); // loading may rotate it
    const fresh = await loadQueue(this.files);
    this.loaded = fresh;
    this.journalIno = undefined;
    return fresh;
  }

  /**
   * Applies committed changes appended since the last read. `reload` when the journal moved on
   * in a way that needs a reload (two rotations behind, a scan, a corrupt line); `missing` when
   * there is no journal (between two steps of a rotation, or the index was removed).
   */
  private async tail(): Promise<TailResult> {
    const loaded = this.loaded;
    if (!loaded) return { kind: 'reload' };
    if (this.journalIno !== undefined) {
      // The common case, one stat: the same journal, and nothing appended since we last read it.
      const current = await stat(this.files.journal).catch(() => undefined);
      if (current && current.ino === this.journalIno && current.size === loaded.offset) {
        return { kind: 'ok', uncommitted: [], size: current.size };
      }
    }
    const read = await readJournal(this.files.journal, loaded.gen, loaded.offset);
    if (read.state === 'missing') return { kind: 'missing' };
    if (read.state === 'other-generation') {
      if (read.gen !== loaded.gen + 1) return { kind: 'reload' };
      const old = await readJournal(this.files.oldJournal(loaded.gen), loaded.gen, loaded.offset);
      if (old.state !== 'ok' || old.bad.length > 0 || old.uncommitted.length > 0) return { kind: 'reload' };
      for (const tx of old.transactions) for (const op of tx) loaded.index.apply(op);
      loaded.gen += 1;
      loaded.offset = 0;
      return this.tail();
    }
    if (read.bad.length > 0) return { kind: 'reload' };
    for (const tx of read.transactions) for (const op of tx) loaded.index.apply(op);
    loaded.offset = read.committedEnd;
    this.journalIno = read.ino;
    return { kind: 'ok', uncommitted: read.uncommitted, size: read.size };
  }

  private async commit(tx: Transaction, loaded: LoadedQueue): Promise<void> {
    const hasFiles = tx.writes.size > 0 || tx.deletes.size > 0;
    if (tx.ops.length === 0 && !hasFiles && !tx.forceCommit) return;
    let text = tx.ops.map(encodeOp).join('');
    let written = 0;
    if (hasFiles) {
      if (text !== '') await this.files.append(text);
      written = Buffer.byteLength(text, 'latin1');
      text = '';
      await this.applyFiles(tx);
    }
    const modifiedAt = tx.modified ? Date.now() : 0;
    if (modifiedAt > tx.index.modifiedAt) tx.index.modifiedAt = modifiedAt;
    if (tx.metadataChanged || tx.modified) this.metadata.dirty = true;
    const settled = tx.index.pendingCount === 0;
    if (this.metadata.dirty && (tx.flushMetadata || settled || this.metadata.due())) {
      await writeQueueMetadata(this.files.dir, tx.index, this.files.fallbackMetadata, {
        fsync: this.files.fsync,
      });
      this.metadata.written();
    }
    const commit: JournalOp = { op: 'commit', mark: await this.files.mark(), modifiedAt };
    text += encodeOp(commit);
    await this.exclusive(async () => {
      await this.files.append(text);
      tx.index.apply(commit);
      loaded.offset += written + Buffer.byteLength(text, 'latin1');
    });
    this.keepJournalOpen();
    if (this.metadata.dirty) this.metadata.pending(() => this.flushMetadata());
  }

  /** The journal stays open for the next change until the store lock is let go. */
  private keepJournalOpen(): void {
    this.lock.defer(`journal\0${this.files.indexDir}`, {
      flush: () => this.files.closeJournal(),
      flushSync: () => undefined, // the process is exiting: its files close with it
      abandon: () => this.files.closeJournal().catch(() => undefined), // a failed close loses nothing
    });
  }

  /** Writes `__metadata__.json` now if counts changed since it was last written. */
  async flushMetadata(): Promise<void> {
    if (!this.metadata.dirty || !this.loaded) return;
    try {
      await this.write((tx) => {
        tx.flushMetadata = true;
        tx.forceCommit = true;
      });
    } catch (err) {
      if (!this.isGoneError(err)) throw toStorageError(err, 'Writing request queue metadata');
      // The queue was deleted or moved meanwhile: there is nothing left to write.
    }
  }

  private async applyFiles(tx: Transaction): Promise<void> {
    const { dir, fsync } = this.files;
    const work: Array<Promise<void>> = [];
    for (const file of tx.writes.values()) work.push(writeRequestFile(dir, file, fsync));
    for (const id of tx.deletes) work.push(rm(requestFilePath(dir, id), { force: true }));
    const results = await Promise.allSettled(work);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async maybeRotate(loaded: LoadedQueue): Promise<void> {
    if (loaded.offset < Math.max(journalLimits.rotateBytes, loaded.snapshotBytes)) return;
    await this.exclusive(async () => {
      await this.files.closeJournal();
      const rotated = await rotateJournal(this.files, loaded.index, loaded.gen);
      loaded.gen += 1;
      loaded.offset = rotated.offset;
      this.journalIno = undefined;
      loaded.snapshotBytes = rotated.snapshotBytes;
    });
  }

  /** True when an error means the queue folder is gone (deleted, or renamed by another process). */
  isGoneError(err: unknown): boolean {
    return (
      isErrno(err, 'ENOENT') && String((err as NodeJS.ErrnoException).path ?? '').startsWith(this.files.dir)
    );
  }
}
