import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';
import { isErrno, StorageError } from '../errors.js';
import { atProcessExit, lockfile } from './exit-hook.js';
import { LOCKS_DIR, type StoreKind } from './layout.js';

/** How long a lock left by a dead process blocks others before it is taken over (proper-lockfile `stale`). */
export const STALE_LOCK_MS = 10_000;
/** A process keeps the lock across queued operations at most this long before letting others in. */
const MAX_HOLD_MS = 250;
/**
 * The lock is kept this long after the last queued task, so that operations awaited one after
 * another (a loop of single pushes) take it once instead of once each. Never past MAX_HOLD_MS.
 */
const LINGER_MS = 20;
/** A process that waits for the lock says so in `<lock>.waiting`; a holder that sees it fresh lets go. */
const WAITING_FRESH_MS = 100;
/** After letting go for a waiter, the holder pauses this long before it takes the lock again. */
const YIELD_MS = 30;
/** Giving up on a lock held (and kept fresh) by another process takes this long. */
const ACQUIRE_TIMEOUT_MS = 60_000;

/** What a task run under the store lock learns about the lock. */
export interface LockContext {
  /**
   * Increases each time this process acquires the cross-process lock anew, and after each task not
   * run as `coherent`. State cached while the epoch was the same is still valid: no other process,
   * and no other kind of task of this process, can have written in between.
   */
  readonly epoch: number;
}

/**
 * A write put off while the lock is held (a store's metadata after a run of pushes): done once,
 * before the lock is let go, before a task that is not coherent, or when the process exits.
 */
export interface DeferredWrite {
  /** Does the write; on failure it leaves things so that the next locked load repairs them. */
  flush(): Promise<void>;
  /** The same, synchronously, for a process that is exiting. Must not throw. */
  flushSync(): void;
  /**
   * Gives the write up without doing it: another process took the lock over (this one stalled
   * past STALE_LOCK_MS), so what this process holds in memory may be stale. Must not throw.
   */
  abandon(): Promise<void>;
}

/** Options of {@link StoreLock.run}. */
export interface RunOptions {
  /**
   * The task records every change it makes in the state that the epoch guards (a dataset push
   * updates the cached count): the epoch then stays, and the next task may trust that state.
   * Other tasks (deletes, renames, purges, repairs) end the epoch. @default false
   */
  coherent?: boolean;
}

/**
 * One lock per store: a serial queue within the process (p-queue, concurrency 1) and a lock file
 * across processes (proper-lockfile, under `<storageDir>/.locks/`). Reads do not take it.
 */
export interface StoreLock {
  /**
   * Runs `task` with exclusive write access to the store. The lock is let go in `finally` once no
   * task is queued (after a short linger, see LINGER_MS).
   */
  run<T>(task: (ctx: LockContext) => Promise<T>, options?: RunOptions): Promise<T>;
  /** Runs `task` in the serial queue of this process only (no cross-process lock). */
  runLocal<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Puts off `write` (keyed, so the latest registration of a key wins) until the lock is let go.
   * Call only from a task run under the lock.
   */
  defer(key: string, write: DeferredWrite): void;
  /** The current epoch (see {@link LockContext.epoch}). */
  readonly epoch: number;
  /** True while this process holds the cross-process lock. */
  readonly held: boolean;
}

class StoreLockImpl implements StoreLock {
  private readonly queue = new PQueue({ concurrency: 1 });
  private release: (() => Promise<void>) | undefined;
  private acquiredAt = 0;
  private compromised: Error | undefined;
  private lingering: NodeJS.Timeout | undefined;
  private readonly deferred = new Map<string, DeferredWrite>();
  epoch = 0;

  constructor(
    private readonly target: string,
    private readonly lockfilePath: string,
    private readonly locksDir: string,
  ) {}

  get held(): boolean {
    return this.release !== undefined;
  }

  run<T>(task: (ctx: LockContext) => Promise<T>, options: RunOptions = {}): Promise<T> {
    return this.queue.add(
      async () => {
        this.stopLingering();
        try {
          if (this.release && (Date.now() - this.acquiredAt > MAX_HOLD_MS || this.compromised)) {
            const contended = this.othersWaiting();
            await this.releaseNow();
            // Without a pause, this process would take the lock straight back and starve the
            // others, which poll for it.
            if (contended) await sleep(YIELD_MS);
          }
          // Taken over by another process: what was put off is stale; the next load repairs.
          if (this.compromised) await this.abandonDeferred();
          if (!this.release) await this.acquire();
          // A task that is not coherent reads what is on disk: put-off writes land first.
          if (!options.coherent) await this.flushDeferred();
          return await task({ epoch: this.epoch });
        } finally {
          if (!options.coherent) this.epoch += 1;
          // Keep the lock for tasks already queued behind this one (one lock for a burst of writes),
          // and a moment longer for the next one, but never past MAX_HOLD_MS.
          this.afterTask();
        }
      },
      { throwOnTimeout: true },
    );
  }

  runLocal<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.add(
      async () => {
        try {
          return await task();
        } finally {
          this.afterTask();
        }
      },
      { throwOnTimeout: true },
    );
  }

  defer(key: string, write: DeferredWrite): void {
    if (this.deferred.size === 0) pendingLocks.add(this);
    this.deferred.set(key, write);
  }

  /** Does the put-off writes, in the order they were registered. */
  private async flushDeferred(): Promise<void> {
    for (const [key, write] of this.deferred) {
      this.deferred.delete(key);
      await write.flush();
    }
    pendingLocks.delete(this);
  }

  private async abandonDeferred(): Promise<void> {
    const writes = [...this.deferred.values()];
    this.deferred.clear();
    pendingLocks.delete(this);
    for (const write of writes) await write.abandon();
  }

  /** The put-off writes of a process that is exiting (its lock is still held). */
  flushDeferredSync(): void {
    if (this.compromised) return;
    for (const write of this.deferred.values()) write.flushSync();
    this.deferred.clear();
  }

  /** Lets the lock go now when no task runs or waits (so that `isStoreLocked` sees it free). */
  async releaseIfIdle(): Promise<void> {
    if (!this.release || this.queue.size > 0 || this.queue.pending > 0) return;
    await this.queue.add(async () => {
      this.stopLingering();
      if (this.queue.size === 0) await this.releaseNow();
    });
  }

  /** After a task: when nothing waits, let the lock go after LINGER_MS (or now, past MAX_HOLD_MS). */
  private afterTask(): void {
    if (this.queue.size > 0 || !this.release) return;
    this.stopLingering();
    const left = MAX_HOLD_MS - (Date.now() - this.acquiredAt);
    this.lingering = setTimeout(
      () => {
        this.lingering = undefined;
        void this.releaseIfIdle().catch(() => undefined); // a failed release leaves the lock to go stale
      },
      this.othersWaiting() ? 0 : Math.max(0, Math.min(LINGER_MS, left)),
    );
    this.lingering.unref();
  }

  private stopLingering(): void {
    if (this.lingering) clearTimeout(this.lingering);
    this.lingering = undefined;
  }

  /** True when another process said, within WAITING_FRESH_MS, that it waits for this lock. */
  private othersWaiting(): boolean {
    const seen = statSync(this.waitingPath, { throwIfNoEntry: false });
    return seen !== undefined && Date.now() - seen.mtimeMs < WAITING_FRESH_MS;
  }

  private get waitingPath(): string {
    return `${this.lockfilePath}.waiting`;
  }

  private async acquire(): Promise<void> {
    mkdirSync(this.locksDir, { recursive: true });
    this.compromised = undefined;
    const deadline = Date.now() + ACQUIRE_TIMEOUT_MS;
    for (let attempt = 0; ; attempt += 1) {
      try {
        this.release = await lockfile.lock(this.target, {
          lockfilePath: this.lockfilePath,
          realpath: false,
          stale: STALE_LOCK_MS,
          onCompromised: (err) => {
            // Another process took the lock over (we were stalled past STALE_LOCK_MS): stop trusting
            // cached state and re-acquire before the next task.
            this.compromised = err;
            this.release = undefined;
          },
        });
        break;
      } catch (err) {
        if (!isErrno(err, 'ELOCKED')) throw err;
        if (Date.now() > deadline) {
          throw new StorageError(
            'STORAGE_LOCKED',
            `The storage at ${this.target} is locked by another process; try again.`,
            { cause: err },
          );
        }
        writeFileSync(this.waitingPath, ''); // tells the holder to let go soon (see othersWaiting)
        await sleep(2 + Math.random() * Math.min(20, 2 + attempt));
      }
    }
    this.acquiredAt = Date.now();
    this.epoch += 1;
  }

  private async releaseNow(): Promise<void> {
    if (!this.release) return;
    try {
      await this.flushDeferred();
    } finally {
      await this.letGo();
    }
  }

  private async letGo(): Promise<void> {
    const release = this.release;
    this.release = undefined;
    if (!release) return;
    try {
      await release();
    } catch (err) {
      // Already released or taken over as stale: the lock is not ours any more either way.
      if (!isErrno(err, 'ERELEASED') && !isErrno(err, 'ENOTACQUIRED')) throw err;
    }
  }
}

const locks = new Map<string, StoreLockImpl>();
/** Locks with put-off writes: flushed synchronously if the process exits before it lets them go. */
const pendingLocks = new Set<StoreLockImpl>();

atProcessExit(() => {
  for (const lock of pendingLocks) lock.flushDeferredSync();
  pendingLocks.clear();
});

/** Lets go every lock this process holds idle (lingering after its last write): for teardown. */
export async function releaseIdleLocks(): Promise<void> {
  await Promise.all([...locks.values()].map((lock) => lock.releaseIfIdle()));
}

/**
 * The lock of one store, shared by every client of this process. Keyed by the store's id, so that
 * a rename does not split it.
 */
export function storeLock(storageDir: string, kind: StoreKind, id: string, storeDir: string): StoreLock {
  const locksDir = join(storageDir, LOCKS_DIR);
  const lockfilePath = join(locksDir, `${kind}.${id}.lock`);
  let lock = locks.get(lockfilePath);
  if (!lock) {
    lock = new StoreLockImpl(storeDir, lockfilePath, locksDir);
    locks.set(lockfilePath, lock);
  }
  return lock;
}

/** True when some process holds the store's lock (used by `gc` to skip storages in use). */
export async function isStoreLocked(storageDir: string, kind: StoreKind, id: string): Promise<boolean> {
  const lockfilePath = join(storageDir, LOCKS_DIR, `${kind}.${id}.lock`);
  // This process may still hold it idle, lingering after its last write: that is not "in use".
  await locks.get(lockfilePath)?.releaseIfIdle();
  return lockfile.check(lockfilePath, { lockfilePath, realpath: false, stale: STALE_LOCK_MS });
}
