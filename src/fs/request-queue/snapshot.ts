/**
 * The snapshot: the whole index of a queue in one compact text file, written atomically when
 * the journal grows. Opening a queue reads the snapshot, then the journal of the same
 * generation. Line format:
 *
 * ```
 * {"format":"rq-index","version":1,"gen":4,"mark":"…","pending":2,"handled":1,…}   header (JSON)
 * -3 Xb1c…                      pending requests, "<orderNo> <id>", in queue order
 * 12 Q9f2…
 * Zk8w…                         handled request ids
 * ```
 */
import { readFile } from 'node:fs/promises';
import { isErrno } from '../../errors.js';
import { writeAtomic } from '../atomic-write.js';
import { encodeField } from './journal.js';
import { compareEntries, type PendingEntry, QueueIndex, type RequestLock } from './queue-index.js';
import { SortedList } from './sorted-list.js';

interface SnapshotHeader {
  format: 'rq-index';
  version: 1;
  /** The journal generation that continues this snapshot. */
  gen: number;
  mark: string;
  maxOrder: number;
  pending: number;
  handled: number;
  firstClientKey: string | null;
  hadMultipleClients: boolean;
  modifiedAt: number;
  locks: Array<[id: string, expiresAt: number, clientKey: string, owner: string]>;
}

/** Serialises the index as the snapshot that starts journal generation `gen`. */
export function serialiseSnapshot(index: QueueIndex, gen: number, now: number): string {
  const locks: SnapshotHeader['locks'] = [];
  for (const entry of index.activeLocks(now)) {
    const lock = entry.lock as RequestLock;
    locks.push([entry.id, lock.expiresAt, lock.clientKey, lock.owner]);
  }
  const header: SnapshotHeader = {
    format: 'rq-index',
    version: 1,
    gen,
    mark: index.mark,
    maxOrder: index.maxOrder,
    pending: index.pendingCount,
    handled: index.handledCount,
    firstClientKey: index.firstClientKey ?? null,
    hadMultipleClients: index.hadMultipleClients,
    modifiedAt: index.modifiedAt,
    locks,
  };
  const parts: string[] = [`${JSON.stringify(header)}\n`];
  let chunk = '';
  for (const entry of index.pending.values()) {
    chunk += `${entry.order} ${encodeField(entry.id)}\n`;
    if (chunk.length > 65536) {
      parts.push(chunk);
      chunk = '';
    }
  }
  for (const [id, entry] of index.entries) {
    if (entry !== null) continue;
    chunk += `${encodeField(id)}\n`;
    if (chunk.length > 65536) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** Writes the snapshot atomically. */
export async function writeSnapshot(path: string, text: string, fsync: boolean): Promise<void> {
  await writeAtomic(path, text, { fsync });
}

/** A loaded snapshot: the index and the journal generation that continues it. */
export interface LoadedSnapshot {
  index: QueueIndex;
  gen: number;
}

function decode(value: string): string {
  return value.includes('%') ? decodeURIComponent(value) : value;
}

function isHeader(value: unknown): value is SnapshotHeader {
  const h = value as SnapshotHeader;
  return (
    typeof h === 'object' &&
    h !== null &&
    h.format === 'rq-index' &&
    h.version === 1 &&
    Number.isInteger(h.gen) &&
    typeof h.mark === 'string' &&
    Number.isInteger(h.pending) &&
    Number.isInteger(h.handled) &&
    Array.isArray(h.locks)
  );
}

/**
 * Reads a snapshot. Returns `'missing'`, `'corrupt'` (with the reason) or the loaded index.
 */
export async function readSnapshot(
  path: string,
): Promise<{ state: 'missing' } | { state: 'corrupt'; reason: string } | ({ state: 'ok' } & LoadedSnapshot)> {
  let text: string;
  try {
    text = (await readFile(path)).toString('latin1');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { state: 'missing' };
    throw err;
  }
  try {
    return { state: 'ok', ...parseSnapshot(text) };
  } catch (err) {
    return { state: 'corrupt', reason: (err as Error).message };
  }
}

function parseSnapshot(text: string): LoadedSnapshot {
  const lines = text.split('\n');
  const header = JSON.parse(lines[0] ?? '') as unknown;
  if (!isHeader(header)) throw new Error('the snapshot header is not valid');
  if (lines.length !== 1 + header.pending + header.handled + 1 || lines[lines.length - 1] !== '') {
    throw new Error('the snapshot is incomplete');
  }
  const index = new QueueIndex();
  const pending: PendingEntry[] = new Array(header.pending);
  let previous: PendingEntry | undefined;
  for (let i = 0; i < header.pending; i += 1) {
    const line = lines[1 + i] as string;
    const space = line.indexOf(' ');
    const order = Number(line.slice(0, space));
    const id = decode(line.slice(space + 1));
    if (space <= 0 || !Number.isFinite(order) || id === '') throw new Error(`bad pending line ${i + 2}`);
    const entry: PendingEntry = { id, order, lock: undefined };
    if (previous && compareEntries(previous, entry) >= 0) throw new Error(`pending out of order at ${i + 2}`);
    pending[i] = entry;
    previous = entry;
    index.entries.set(id, entry);
  }
  index.pending = SortedList.fromSorted(pending, compareEntries);
  for (let i = 1 + header.pending; i < lines.length - 1; i += 1) {
    const id = decode(lines[i] as string);
    if (id === '') throw new Error(`bad handled line ${i + 1}`);
    index.entries.set(id, null);
  }
  if (index.entries.size !== header.pending + header.handled) throw new Error('duplicate ids');
  index.handledCount = header.handled;
  index.maxOrder = header.maxOrder;
  index.firstClientKey = header.firstClientKey ?? undefined;
  index.hadMultipleClients = header.hadMultipleClients;
  index.modifiedAt = header.modifiedAt;
  index.mark = header.mark;
  for (const [id, expiresAt, clientKey, owner] of header.locks) {
    index.apply({ op: 'lock', id, expiresAt, clientKey, owner });
  }
  return { index, gen: header.gen };
}
