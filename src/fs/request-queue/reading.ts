/**
 * Reading a queue without the store lock: the head, one request, and the paginated list of
 * requests. Request files are read only for the requests returned.
 */
import type { RequestQueueHeadItem, RequestSchema, StoredRequest } from '../../client/types.js';
import { StorageError } from '../../errors.js';
import { readInSlices } from '../atomic-write.js';
import { isLocked, type PendingEntry, type QueueIndex } from './queue-index.js';
import { readRequestFileSync, requestFilePath } from './request-file.js';

/** A request file that could not be read while answering; the caller quarantines it. */
export interface Unreadable {
  id: string;
  reason: string;
}

/** Reads the stored request `id`; `undefined` when there is none. */
export async function readStoredRequest(
  dir: string,
  id: string,
  unreadable: Unreadable[],
): Promise<StoredRequest | undefined> {
  const read = readRequestFileSync(requestFilePath(dir, id), id);
  if (read.state === 'ok') return read.request as StoredRequest;
  if (read.state === 'corrupt') unreadable.push({ id, reason: read.reason });
  return undefined;
}

/**
 * The entries of the head: requests not locked, in queue order; when there are fewer than
 * `limit`, then locked ones, soonest expiry first (where the platform lists them).
 */
export function headEntries(index: QueueIndex, limit: number, now: number): PendingEntry[] {
  const entries = index.unlockedHead(limit, now);
  if (entries.length < limit) {
    const locked = index.activeLocks(now).sort((a, b) => (a.lock?.expiresAt ?? 0) - (b.lock?.expiresAt ?? 0));
    entries.push(...locked.slice(0, limit - entries.length));
  }
  return entries;
}

/** Head items for `entries` (files read synchronously, a slice at a time; missing ones skipped). */
export async function headItems(
  dir: string,
  entries: PendingEntry[],
  now: number,
  unreadable: Unreadable[],
): Promise<RequestQueueHeadItem[]> {
  const reads = await readInSlices(entries, (e) => {
    const read = readRequestFileSync(requestFilePath(dir, e.id), e.id);
    return { result: read, bytes: read.bytes };
  });
  const items: RequestQueueHeadItem[] = [];
  reads.forEach((read, i) => {
    const entry = entries[i] as PendingEntry;
    if (read.state === 'corrupt') unreadable.push({ id: entry.id, reason: read.reason });
    if (read.state !== 'ok') return;
    const item: RequestQueueHeadItem = {
      id: read.file.id,
      uniqueKey: read.file.uniqueKey,
      url: read.file.url,
      method: read.file.method ?? 'GET',
      retryCount: read.file.retryCount ?? 0,
    };
    if (isLocked(entry, now)) item.lockExpiresAt = new Date(entry.lock?.expiresAt ?? now);
    items.push(item);
  });
  return items;
}

/** Where a page of `listRequests` continues: in id order, in queue order, or among locked ids. */
type Cursor = { k: 'i'; id: string } | { k: 'p'; o: number; id: string } | { k: 'l'; id: string };

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string, kind: Cursor['k']): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (
      cursor.k === kind &&
      typeof cursor.id === 'string' &&
      (kind !== 'p' || Number.isFinite((cursor as { o: number }).o))
    ) {
      return cursor;
    }
  } catch {
    // falls through to the coded error below
  }
  throw new StorageError('STORAGE_INVALID_OPTION', 'Option "cursor" is not a cursor this listing returned.', {
    details: { cursor: text },
  });
}

/** Checked options of `listRequests`. */
export interface ListRequestsPlan {
  limit: number;
  cursor: string | undefined;
  exclusiveStartId: string | undefined;
  pending: boolean;
  locked: boolean;
}

/**
 * The ids of one page of `listRequests`, and the cursor of the next page (null at the end).
 * No filter: every request in id order. `pending`: pending requests in queue order. `locked`:
 * locked requests in id order.
 */
export function pageIds(
  index: QueueIndex,
  plan: ListRequestsPlan,
  now: number,
): { ids: string[]; next: string | null } {
  const found: Array<{ id: string; cursor: Cursor }> = [];
  const want = plan.limit + 1;
  if (plan.locked) {
    const after = plan.cursor ? decodeCursor(plan.cursor, 'l').id : plan.exclusiveStartId;
    const locked = index
      .activeLocks(now)
      .map((e) => e.id)
      .filter((id) => after === undefined || id > after)
      .sort();
    for (const id of locked.slice(0, want)) found.push({ id, cursor: { k: 'l', id } });
  } else if (plan.pending) {
    const after = plan.cursor ? (decodeCursor(plan.cursor, 'p') as { o: number; id: string }) : undefined;
    const from = after ? { id: after.id, order: after.o, lock: undefined } : undefined;
    for (const entry of index.pending.values(from)) {
      found.push({ id: entry.id, cursor: { k: 'p', o: entry.order, id: entry.id } });
      if (found.length === want) break;
    }
  } else {
    const after = plan.cursor ? decodeCursor(plan.cursor, 'i').id : plan.exclusiveStartId;
    for (const id of index.idsAfter(after)) {
      found.push({ id, cursor: { k: 'i', id } });
      if (found.length === want) break;
    }
  }
  const page = found.slice(0, plan.limit);
  const last = page[page.length - 1];
  return {
    ids: page.map((f) => f.id),
    next: found.length > plan.limit && last ? encodeCursor(last.cursor) : null,
  };
}

/** Reads the requests of a page, in the page's order. */
export async function pageItems(
  dir: string,
  ids: string[],
  unreadable: Unreadable[],
): Promise<RequestSchema[]> {
  const items = await Promise.all(ids.map((id) => readStoredRequest(dir, id, unreadable)));
  return items.filter((item): item is StoredRequest => item !== undefined);
}
