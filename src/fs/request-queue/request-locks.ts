/**
 * Request locks: a consumer locks requests from the head for a while; a lock that expires makes
 * the request available again; only the client key that holds a lock may prolong or delete it.
 * Locks live in the journal only (request files keep their position), so locking costs one
 * journal append and no file write.
 */
import type { RequestQueueHeadItem } from '../../client/types.js';
import { StorageError } from '../../errors.js';
import { planMove, readIndexedFile } from './changes.js';
import type { Transaction } from './engine.js';
import { isOwnerGone, PROCESS_OWNER, type QueueFiles } from './queue-files.js';
import { isLocked, type PendingEntry } from './queue-index.js';

function notFound(id: string): StorageError {
  return new StorageError('STORAGE_RECORD_NOT_FOUND', `Request "${id}" is not in the queue.`, {
    details: { requestId: id },
  });
}

function pendingEntry(tx: Transaction, id: string): PendingEntry {
  const entry = tx.index.entries.get(id);
  if (entry === undefined) throw notFound(id);
  if (entry === null) {
    throw new StorageError(
      'STORAGE_RECORD_NOT_FOUND',
      `Request "${id}" is already handled; it cannot be locked.`,
      {
        details: { requestId: id, handled: true },
      },
    );
  }
  return entry;
}

function refuseForeignLock(entry: PendingEntry, clientKey: string, now: number): void {
  if (isLocked(entry, now) && entry.lock?.clientKey !== clientKey) {
    throw new StorageError(
      'STORAGE_LOCKED',
      `Request "${entry.id}" is locked by another client until ${new Date(entry.lock?.expiresAt ?? now).toISOString()}.`,
      { details: { requestId: entry.id } },
    );
  }
}

/** Locks up to `limit` requests from the head for `lockSecs`; returns them with their lock expiry. */
export async function planListAndLock(
  tx: Transaction,
  files: QueueFiles,
  options: { limit: number; lockSecs: number; clientKey: string },
): Promise<RequestQueueHeadItem[]> {
  const expiresAt = tx.now + Math.round(options.lockSecs * 1000);
  const items: RequestQueueHeadItem[] = [];
  // Requests whose file is gone or unreadable drop out of the index; take the next ones then.
  while (items.length < options.limit) {
    const head = tx.index.unlockedHead(options.limit - items.length, tx.now);
    if (head.length === 0) break;
    for (const entry of head) {
      const file = await readIndexedFile(tx, files, entry.id);
      if (!file) continue;
      tx.apply({ op: 'lock', id: entry.id, expiresAt, clientKey: options.clientKey, owner: PROCESS_OWNER });
      items.push({
        id: file.id,
        uniqueKey: file.uniqueKey,
        url: file.url,
        method: file.method ?? 'GET',
        retryCount: file.retryCount ?? 0,
        lockExpiresAt: new Date(expiresAt),
      });
    }
  }
  return items;
}

/** Prolongs (or takes) the lock of one request; with `forefront` it goes to the front when unlocked. */
export async function planProlong(
  tx: Transaction,
  files: QueueFiles,
  id: string,
  options: { lockSecs: number; forefront: boolean; clientKey: string },
): Promise<{ lockExpiresAt: Date }> {
  const entry = pendingEntry(tx, id);
  refuseForeignLock(entry, options.clientKey, tx.now);
  if (options.forefront) await planMove(tx, files, id, true);
  const expiresAt = tx.now + Math.round(options.lockSecs * 1000);
  tx.apply({ op: 'lock', id, expiresAt, clientKey: options.clientKey, owner: PROCESS_OWNER });
  return { lockExpiresAt: new Date(expiresAt) };
}

/** Ends the lock of one request; with `forefront` the request goes to the front of the queue. */
export async function planDeleteLock(
  tx: Transaction,
  files: QueueFiles,
  id: string,
  options: { forefront: boolean; clientKey: string },
): Promise<void> {
  const entry = tx.index.entries.get(id);
  if (entry === undefined) throw notFound(id);
  if (entry === null) return; // handled: its lock already ended
  refuseForeignLock(entry, options.clientKey, tx.now);
  if (entry.lock) tx.apply({ op: 'unlock', id });
  if (options.forefront) await planMove(tx, files, id, true);
}

/** Ends every lock held by `clientKey`; returns how many were still in force. */
export function planUnlockAll(tx: Transaction, clientKey: string): number {
  let count = 0;
  for (const entry of [...tx.index.locked.values()]) {
    if (entry.lock?.clientKey !== clientKey) continue;
    if (isLocked(entry, tx.now)) count += 1;
    tx.apply({ op: 'unlock', id: entry.id });
  }
  return count;
}

/**
 * A lock left by a consumer that is no more: taken under `clientKey` in another process, or taken
 * by a process of this host that has died (Crawlee picks a new client key on every run, so a
 * crawler killed mid-run and started again finds its old locks under a key it does not know).
 */
function isLeftBehind(lock: PendingEntry['lock'], clientKey: string, gone: Map<string, boolean>): boolean {
  if (!lock || lock.owner === PROCESS_OWNER) return false;
  if (lock.clientKey === clientKey) return true;
  let ownerGone = gone.get(lock.owner);
  if (ownerGone === undefined) {
    ownerGone = isOwnerGone(lock.owner);
    gone.set(lock.owner, ownerGone);
  }
  return ownerGone;
}

/** True when the queue holds locks that {@link planReleaseOtherProcessLocks} would end. */
export function hasLocksFromOtherProcess(tx: Pick<Transaction, 'index'>, clientKey: string): boolean {
  const gone = new Map<string, boolean>();
  for (const entry of tx.index.locked.values()) {
    if (isLeftBehind(entry.lock, clientKey, gone)) return true;
  }
  return false;
}

/**
 * Ends the locks that `clientKey` took in another process, and those of processes of this host
 * that have died: what a consumer had locked when it stopped is offered again at once, instead of
 * when its locks run out.
 */
export function planReleaseOtherProcessLocks(tx: Transaction, clientKey: string): number {
  const gone = new Map<string, boolean>();
  let count = 0;
  for (const entry of [...tx.index.locked.values()]) {
    if (!isLeftBehind(entry.lock, clientKey, gone)) continue;
    tx.apply({ op: 'unlock', id: entry.id });
    count += 1;
  }
  return count;
}
