import { randomBytes } from 'node:crypto';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isErrno } from '../../errors.js';
import type { StoreMetadata } from '../stores.js';

/**
 * actor-storage's own files live in `<queue folder>/__index__/`, so that writing them never
 * changes the queue folder's mtime (which the journal records to notice changes by other tools),
 * and so that peers that read every `*.json` of the queue folder never see them. The folder can
 * be deleted at any time: the next open rebuilds it with one scan of the request files.
 */
export const INDEX_DIR = '__index__';

/** Tunables of the journal (tests lower them). */
export const journalLimits = {
  /** Rotate (write a snapshot, start a new journal) past this many bytes, or past the snapshot's size. */
  rotateBytes: 4 * 1024 * 1024,
  /** `__metadata__.json` is rewritten at most this often while changes stream in. */
  metadataIntervalMs: 1000,
};

/** Engines with metadata still to write; flushed when the process is about to exit. */
const unflushed = new Set<() => Promise<void>>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('beforeExit', () => {
    const pending = [...unflushed];
    unflushed.clear();
    // Errors here have no caller to go to; the journal stays the authority and a later change rewrites the file.
    for (const flush of pending) flush().catch(() => undefined);
  });
}

/**
 * Writes the metadata of every queue of this process that has counts not yet written there.
 * `FsClient.teardown()` calls it; other tools read counts from `__metadata__.json`.
 */
export async function flushQueueMetadata(): Promise<void> {
  const pending = [...unflushed];
  unflushed.clear();
  await Promise.all(pending.map((flush) => flush()));
}

/**
 * Writing `__metadata__.json` on every change would double the cost of a change, so counts go
 * there at most once per interval while changes stream in, at once when a change leaves no
 * request pending, and at `teardown()` or when the process is about to exit. Nothing is written
 * in the background between calls. The journal, not this file, is what the engine trusts.
 */
export class MetadataSchedule {
  dirty = false;
  private lastWrite = 0;
  private flush: (() => Promise<void>) | undefined;

  /** True when the file was last written long enough ago. */
  due(): boolean {
    return Date.now() - this.lastWrite >= journalLimits.metadataIntervalMs;
  }

  written(): void {
    this.dirty = false;
    this.lastWrite = Date.now();
    if (this.flush) unflushed.delete(this.flush);
  }

  /** Remembers that counts are still to be written (by `teardown()` or before the process exits). */
  pending(flush: () => Promise<void>): void {
    if (this.flush) unflushed.delete(this.flush);
    this.flush = flush;
    unflushed.add(flush);
    installExitHook();
  }
}

/**
 * This process as recorded with each lock it takes: `<random>:<pid>:<host>`. The pid and host let
 * a later process on the same host tell that the holder is gone (a crawler killed mid-run), so
 * that its locks need not run out first; the random part tells apart two runs under a reused pid.
 */
export const PROCESS_OWNER = `${randomBytes(6).toString('hex')}:${process.pid}:${hostname()}`;

/**
 * True when `owner` names a process of this host that no longer runs. Owners from other hosts,
 * in another format, or whose pid is alive (perhaps reused) are not known to be gone: their locks
 * run out by time.
 */
export function isOwnerGone(owner: string): boolean {
  if (owner === PROCESS_OWNER) return false;
  const [token, pidText, ...host] = owner.split(':');
  const pid = Number(pidText);
  if (!token || host.join(':') !== hostname() || !Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return isErrno(err, 'ESRCH'); // EPERM: alive, under another user
  }
}

/** Where one queue's files are, and what the engine needs to write them. */
export class QueueFiles {
  constructor(
    /** Absolute path of the queue folder (changes when the queue is renamed). */
    public dir: string,
    /** Metadata to start from when `__metadata__.json` is missing (a folder written by a peer). */
    public fallbackMetadata: StoreMetadata,
    readonly fsync: boolean,
  ) {}

  get indexDir(): string {
    return join(this.dir, INDEX_DIR);
  }

  get journal(): string {
    return join(this.indexDir, 'journal.log');
  }

  /** The journal of generation `gen` after it was rotated out. */
  oldJournal(gen: number): string {
    return join(this.indexDir, `journal.${gen}.log`);
  }

  get snapshot(): string {
    return join(this.indexDir, 'snapshot.txt');
  }

  /** The queue folder's mtime in nanoseconds, as a decimal string. */
  async mark(): Promise<string> {
    return (await stat(this.dir, { bigint: true })).mtimeNs.toString();
  }

  /**
   * The journal, open for appending while this process holds the store lock (see
   * QueueEngine.keepJournalOpen): a run of changes opens it once.
   */
  private journalHandle: FileHandle | undefined;

  /** Appends text to the journal (fsync'd when the client asks for it). */
  async append(text: string): Promise<void> {
    this.journalHandle ??= await open(this.journal, 'a');
    await this.journalHandle.write(text, null, 'latin1');
    if (this.fsync) await this.journalHandle.datasync();
  }

  /** Closes the journal opened by {@link append}: before the lock is let go, and before a rotation. */
  async closeJournal(): Promise<void> {
    const handle = this.journalHandle;
    this.journalHandle = undefined;
    await handle?.close();
  }
}
