/**
 * Opening a queue in a process (under the store lock): snapshot + journal tail, checked against
 * the folder; or, for a queue some other tool wrote (or whose index is missing, stale or
 * corrupt), one scan of its request files, after which the snapshot is written.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from '../../errors.js';
import { moveAside, writeAtomic } from '../atomic-write.js';
import type { StoreMetadata } from '../stores.js';
import { journalHeader, readJournal } from './journal.js';
import { readQueueMetadata, writeQueueMetadata } from './metadata.js';
import type { QueueFiles } from './queue-files.js';
import { compareEntries, type PendingEntry, QueueIndex } from './queue-index.js';
import { recoverUncommitted } from './recovery.js';
import {
  type RequestFile,
  readRequestFile,
  requestFilePath,
  requestIdOfFile,
  writeRequestFile,
} from './request-file.js';
import { readSnapshot, serialiseSnapshot, writeSnapshot } from './snapshot.js';
import { SortedList } from './sorted-list.js';

/** A queue as one process holds it: the index, and where it is in the journal. */
export interface LoadedQueue {
  index: QueueIndex;
  gen: number;
  /** Offset in the journal up to which the index is applied. */
  offset: number;
  snapshotBytes: number;
}

/** Starts an empty journal of generation `gen`; returns its header length. */
async function startJournal(files: QueueFiles, gen: number): Promise<number> {
  const header = journalHeader(gen);
  await writeAtomic(files.journal, header, { fsync: files.fsync });
  return header.length;
}

/** Opens a queue: snapshot + journal when they are sound and current, else a scan. */
export async function loadQueue(files: QueueFiles): Promise<LoadedQueue> {
  const snap = await readSnapshot(files.snapshot);
  if (snap.state === 'corrupt') {
    await moveAside(files.indexDir, files.snapshot, `index snapshot unusable: ${snap.reason}`);
  }
  if (snap.state !== 'ok') return scanQueue(files);
  const { index, gen } = snap;
  const snapshotBytes = (await fileSize(files.snapshot)) ?? 0;
  const read = await readJournal(files.journal, gen);
  if (read.state === 'missing' || (read.state === 'other-generation' && (read.gen ?? 0) < gen)) {
    // A rotation stopped between the snapshot and the new journal: the snapshot has it all.
    if (index.mark !== (await files.mark())) return scanQueue(files, gen);
    return { index, gen, offset: await startJournal(files, gen), snapshotBytes };
  }
  if (read.state === 'other-generation') return scanQueue(files, Math.max(gen, read.gen ?? 0));
  if (read.bad.length > 0) {
    const first = read.bad[0] as { offset: number; line: string };
    await moveAside(files.indexDir, files.journal, `journal line at byte ${first.offset} does not parse`);
    return scanQueue(files, gen);
  }
  for (const tx of read.transactions) for (const op of tx) index.apply(op);
  if (read.uncommitted.length > 0 || read.size > read.committedEnd) {
    const before = await readQueueMetadata(files.dir, files.fallbackMetadata);
    const offset = await recoverUncommitted(files, index, read.uncommitted, read.committedEnd);
    if (await journalLostChanges(files, index, before)) return scanQueue(files, gen);
    return { index, gen, offset, snapshotBytes };
  }
  if (index.mark !== (await files.mark()) || !(await metadataAgrees(files, index))) {
    return scanQueue(files, gen); // another tool changed the folder since our last commit
  }
  return { index, gen, offset: read.committedEnd, snapshotBytes };
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * False when `__metadata__.json` tells of a change the journal does not know: another tool
 * (memory-storage writes its metadata in place) changed the queue after our last commit.
 */
async function metadataAgrees(files: QueueFiles, index: QueueIndex): Promise<boolean> {
  const metadata = await readQueueMetadata(files.dir, files.fallbackMetadata);
  const modifiedAt = Date.parse(String(metadata.modifiedAt)) || 0;
  return modifiedAt <= index.modifiedAt;
}

/**
 * True when the folder or the metadata knows of requests the index does not: the journal lost
 * committed lines (a disk that dropped its tail, a file cut by hand). Checked when the journal
 * ends in a change cut short, where the folder's mark cannot tell: after a plain crash, the
 * request files are exactly those the index holds once the cut change is recovered.
 */
async function journalLostChanges(
  files: QueueFiles,
  index: QueueIndex,
  metadata: StoreMetadata,
): Promise<boolean> {
  const onDisk = (await readdir(files.dir)).filter((name) => requestIdOfFile(name) !== undefined).length;
  if (onDisk !== index.totalCount) return true;
  const handled = Number(metadata.handledRequestCount);
  return Number.isSafeInteger(handled) && handled > index.handledCount;
}

/** Runs `work` over `items` with at most `width` at a time. */
async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

interface ScanResult {
  pending: PendingEntry[];
  handled: string[];
  unordered: RequestFile[];
}

async function readRequestFiles(files: QueueFiles): Promise<ScanResult> {
  const names = await readdir(files.dir);
  const result: ScanResult = { pending: [], handled: [], unordered: [] };
  const ids = names.map(requestIdOfFile).filter((id): id is string => id !== undefined);
  await pool(ids, 64, async (id) => {
    const path = requestFilePath(files.dir, id);
    const read = await readRequestFile(path, id);
    if (read.state === 'missing') return;
    if (read.state === 'corrupt') {
      await moveAside(files.dir, path, `request file ${read.reason}`);
      return;
    }
    const { orderNo } = read.file;
    const handledAt = read.request.handledAt;
    if (orderNo === null || (orderNo === undefined && typeof handledAt === 'string' && handledAt !== '')) {
      result.handled.push(id);
    } else if (typeof orderNo === 'number' && Number.isFinite(orderNo) && orderNo !== 0) {
      result.pending.push({ id, order: orderNo, lock: undefined });
    } else {
      result.unordered.push(read.file);
    }
  });
  return result;
}

/**
 * Indexes a queue by reading every request file (a folder another tool wrote, or whose index is
 * missing or stale), then writes metadata, snapshot and a new journal. Unreadable files are
 * moved aside. Memory-storage's lock marks (orderNo = lock expiry) are read as plain positions.
 */
export async function scanQueue(files: QueueFiles, previousGen = 0): Promise<LoadedQueue> {
  // Not recursive: a queue deleted meanwhile (a purge, then a late metadata flush) must not come
  // back as an empty folder; the ENOENT tells the caller the queue is gone.
  await mkdir(files.indexDir).catch((err: unknown) => {
    if (!isErrno(err, 'EEXIST')) throw err;
  });
  const found = await readRequestFiles(files);
  const index = new QueueIndex();
  found.pending.sort(compareEntries);
  index.pending = SortedList.fromSorted(found.pending, compareEntries);
  for (const entry of found.pending) {
    index.entries.set(entry.id, entry);
    const abs = Math.floor(Math.abs(entry.order));
    if (abs > index.maxOrder) index.maxOrder = abs;
  }
  for (const id of found.handled) index.add(id, null);
  for (const file of found.unordered) {
    const order = index.nextOrder(false);
    await writeRequestFile(files.dir, { ...file, orderNo: order }, files.fsync);
    index.add(file.id, order);
  }
  const metadata = await readQueueMetadata(files.dir, files.fallbackMetadata);
  if (metadata.hadMultipleClients === true) index.hadMultipleClients = true;
  index.modifiedAt = Date.parse(String(metadata.modifiedAt)) || 0;
  await writeQueueMetadata(files.dir, index, files.fallbackMetadata, { fsync: files.fsync });
  index.mark = await files.mark();
  const gen = previousGen + 1;
  await removeJournals(files);
  const snapshot = serialiseSnapshot(index, gen, Date.now());
  await writeSnapshot(files.snapshot, snapshot, files.fsync);
  const offset = await startJournal(files, gen);
  return { index, gen, offset, snapshotBytes: snapshot.length };
}

/** Removes every journal, so that no process continues an old one after a scan. */
async function removeJournals(files: QueueFiles): Promise<void> {
  for (const name of await readdir(files.indexDir)) {
    if (/^journal(\.\d+)?\.log$/.test(name)) await rm(join(files.indexDir, name), { force: true });
  }
}

/**
 * Rotates the journal (under the store lock, with everything committed): writes the snapshot
 * that starts generation `gen + 1`, keeps the old journal as `journal.<gen>.log` for processes
 * that have not read its end yet, and starts a new one. Returns the new offset and snapshot size.
 */
export async function rotateJournal(
  files: QueueFiles,
  index: QueueIndex,
  gen: number,
): Promise<{ offset: number; snapshotBytes: number }> {
  const snapshot = serialiseSnapshot(index, gen + 1, Date.now());
  await writeSnapshot(files.snapshot, snapshot, files.fsync);
  await rm(files.oldJournal(gen - 1), { force: true });
  await rename(files.journal, files.oldJournal(gen));
  return { offset: await startJournal(files, gen + 1), snapshotBytes: snapshot.length };
}
