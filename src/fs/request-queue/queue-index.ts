import { IdTable } from './id-table.js';
import type { JournalOp } from './journal.js';
import { SortedList } from './sorted-list.js';

/** Who holds a request and until when. */
export interface RequestLock {
  /** Epoch milliseconds. */
  expiresAt: number;
  clientKey: string;
  /** The process that took the lock (a random token per process). */
  owner: string;
}

/** A pending request in the index. `order` places it: negative = forefront, newest first. */
export interface PendingEntry {
  readonly id: string;
  order: number;
  lock: RequestLock | undefined;
}

/** Queue order: by orderNo, then by id (peers may write equal orderNos). */
export function compareEntries(a: PendingEntry, b: PendingEntry): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when the entry is locked at `now`. */
export function isLocked(entry: PendingEntry, now: number): boolean {
  return entry.lock !== undefined && entry.lock.expiresAt > now;
}

/** Everything one process knows about a queue: dedup set, order of pending requests, locks. */
export class QueueIndex {
  /** Every known request id: its pending entry, or `null` once handled. */
  readonly entries = new IdTable();
  /** Pending requests (locked ones included), in queue order. Handled ones are not here. */
  pending = new SortedList<PendingEntry>(compareEntries);
  /** Pending requests that carry a lock (possibly expired). */
  readonly locked = new Map<string, PendingEntry>();
  handledCount = 0;
  /** Largest |orderNo| seen; new requests get the next number. */
  maxOrder = 0;
  firstClientKey: string | undefined;
  hadMultipleClients = false;
  /** Epoch ms of the last change; 0 when unknown. */
  modifiedAt = 0;
  /** The queue folder's mtime (ns) as of the last commit. */
  mark = '';
  private sortedIds: SortedList<string> | undefined;

  get pendingCount(): number {
    return this.pending.size;
  }

  get totalCount(): number {
    return this.entries.size;
  }

  /** Applies one journal change. Unknown ids are ignored, so replaying twice is harmless. */
  apply(op: JournalOp): void {
    switch (op.op) {
      case 'add':
        this.add(op.id, op.order);
        break;
      case 'handle':
        this.handle(op.id);
        break;
      case 'pend':
        this.pend(op.id, op.order);
        break;
      case 'delete':
        this.remove(op.id);
        break;
      case 'lock':
        this.setLock(op.id, { expiresAt: op.expiresAt, clientKey: op.clientKey, owner: op.owner });
        break;
      case 'unlock':
        this.setLock(op.id, undefined);
        break;
      case 'client':
        this.noteClient(op.clientKey);
        break;
      case 'commit':
        this.mark = op.mark;
        if (op.modifiedAt > this.modifiedAt) this.modifiedAt = op.modifiedAt;
        break;
    }
  }

  /** Records a pending (`order` a number) or handled (`order` null) request. */
  add(id: string, order: number | null): void {
    if (this.entries.has(id)) return;
    if (order === null) {
      this.entries.set(id, null);
      this.handledCount += 1;
    } else {
      const entry: PendingEntry = { id, order, lock: undefined };
      this.entries.set(id, entry);
      this.pending.insert(entry);
      this.noteOrder(order);
    }
    this.sortedIds?.insert(id);
  }

  private noteOrder(order: number): void {
    const abs = Math.abs(order);
    if (abs > this.maxOrder) this.maxOrder = Math.floor(abs);
  }

  private handle(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.pending.delete(entry);
    this.locked.delete(id);
    this.entries.set(id, null);
    this.handledCount += 1;
  }

  private pend(id: string, order: number): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    if (entry === null) {
      this.handledCount -= 1;
      this.entries.delete(id);
      this.sortedIds?.delete(id);
      this.add(id, order);
      return;
    }
    this.pending.delete(entry);
    entry.order = order;
    this.pending.insert(entry);
    this.noteOrder(order);
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    if (entry === null) this.handledCount -= 1;
    else {
      this.pending.delete(entry);
      this.locked.delete(id);
    }
    this.entries.delete(id);
    this.sortedIds?.delete(id);
  }

  private setLock(id: string, lock: RequestLock | undefined): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.lock = lock;
    if (lock) this.locked.set(id, entry);
    else this.locked.delete(id);
  }

  private noteClient(clientKey: string): void {
    if (this.firstClientKey === undefined) this.firstClientKey = clientKey;
    else if (clientKey !== this.firstClientKey) this.hadMultipleClients = true;
  }

  /** Pending requests that are locked now; expired locks are forgotten on the way. */
  activeLocks(now: number): PendingEntry[] {
    const out: PendingEntry[] = [];
    for (const [id, entry] of this.locked) {
      if (isLocked(entry, now)) out.push(entry);
      else {
        entry.lock = undefined;
        this.locked.delete(id);
      }
    }
    return out;
  }

  /** Up to `limit` pending requests that are not locked at `now`, in queue order. */
  unlockedHead(limit: number, now: number): PendingEntry[] {
    const out: PendingEntry[] = [];
    if (limit <= 0) return out;
    for (const entry of this.pending.values()) {
      if (isLocked(entry, now)) continue;
      out.push(entry);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Every id in ascending order, after `after`; the ordered set is built on first use. */
  idsAfter(after: string | undefined): Generator<string> {
    if (!this.sortedIds) {
      this.sortedIds = SortedList.fromSorted([...this.entries.keys()].sort(compareIds), compareIds);
    }
    return this.sortedIds.values(after);
  }

  /** The next orderNo for a new or moved request: after every other one, or before (forefront). */
  nextOrder(forefront: boolean): number {
    this.maxOrder += 1;
    return forefront ? -this.maxOrder : this.maxOrder;
  }
}
