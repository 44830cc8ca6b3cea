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
import { FrozenIds } from './id-table.js';
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
  for (const id of index.entries.handledIds()) {
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
  let text: Buffer;
  try {
    text = await readFile(path);
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

/** Reads the decimal (possibly negative or fractional) number in `bytes[from, to)`. */
function numberAt(bytes: Buffer, from: number, to: number): number {
  let i = from;
  let sign = 1;
  if (bytes[i] === 45 /* - */) {
    sign = -1;
    i += 1;
  }
  let value = 0;
  for (; i < to; i += 1) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) return Number(bytes.toString('latin1', from, to)); // fraction or exponent
    value = value * 10 + digit;
  }
  return i > from && to - from < 16 ? sign * value : Number(bytes.toString('latin1', from, to));
}

/**
 * Parses a snapshot straight from its bytes: pending lines become index entries, the handled
 * ids stay one sorted block (see FrozenIds). No line strings are made.
 */
function parseSnapshot(bytes: Buffer): LoadedSnapshot {
  const headerEnd = bytes.indexOf(10);
  const header = JSON.parse(
    bytes.toString('utf8', 0, headerEnd === -1 ? bytes.length : headerEnd),
  ) as unknown;
  if (!isHeader(header)) throw new Error('the snapshot header is not valid');
  let pos = headerEnd + 1;
  const index = new QueueIndex();
  const pending: PendingEntry[] = new Array(header.pending);
  let previous: PendingEntry | undefined;
  for (let i = 0; i < header.pending; i += 1) {
    const end = bytes.indexOf(10, pos);
    const space = bytes.indexOf(32, pos);
    if (end === -1 || space === -1 || space > end) throw new Error(`bad pending line ${i + 2}`);
    const order = numberAt(bytes, pos, space);
    const id = decode(bytes.toString('latin1', space + 1, end));
    if (!Number.isFinite(order) || id === '') throw new Error(`bad pending line ${i + 2}`);
    const entry: PendingEntry = { id, order, lock: undefined };
    if (previous && compareEntries(previous, entry) >= 0) throw new Error(`pending out of order at ${i + 2}`);
    pending[i] = entry;
    previous = entry;
    index.entries.set(id, entry);
    pos = end + 1;
  }
  index.pending = SortedList.fromSorted(pending, compareEntries);
  const handled = FrozenIds.read(bytes, pos, header.handled);
  index.entries.freeze(handled.ids);
  for (const id of handled.other) index.entries.set(id, null);
  if (handled.end !== bytes.length) throw new Error('the snapshot has more lines than its header says');
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
