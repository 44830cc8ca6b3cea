/**
 * Inside the request-queue engine: the ordered list, the journal format, opening from snapshot +
 * journal without reading request files, finishing a change a dead process left, corrupt files and
 * journal lines, and journal rotation seen by a process that lags behind.
 */
import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MovedAside, onCorruptFile } from '../src/fs/atomic-write.js';
import { requestIdFromUniqueKey } from '../src/fs/layout.js';
import { storeLock } from '../src/fs/locks.js';
import { QueueEngine } from '../src/fs/request-queue/engine.js';
import { encodeOp, type JournalOp, parseOp } from '../src/fs/request-queue/journal.js';
import { loadQueue } from '../src/fs/request-queue/loader.js';
import { journalLimits, QueueFiles } from '../src/fs/request-queue/queue-files.js';
import { QueueIndex } from '../src/fs/request-queue/queue-index.js';
import { writeRequestFile } from '../src/fs/request-queue/request-file.js';
import { readSnapshot, serialiseSnapshot } from '../src/fs/request-queue/snapshot.js';
import { SortedList } from '../src/fs/request-queue/sorted-list.js';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;
const savedRotate = journalLimits.rotateBytes;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  journalLimits.rotateBytes = savedRotate;
  await cleanup();
});

const url = (n: number | string) => `https://example.com/${n}`;
const idOf = (n: number | string) => requestIdFromUniqueKey(url(n));

/** A queue with `count` requests (the first `handled` of them handled), written through the client. */
async function seeded(name: string, count: number, handled = 0) {
  const client = createFsClient({ storageDir: dir });
  const { id } = await client.requestQueues().getOrCreate(name);
  const queue = client.requestQueue(id, { clientKey: 'seed' });
  for (let n = 0; n < count; n += 25) {
    const batch = Array.from({ length: Math.min(25, count - n) }, (_, i) => ({
      url: url(n + i),
      uniqueKey: url(n + i),
    }));
    await queue.batchAddRequests(batch);
  }
  for (let n = 0; n < handled; n += 1) {
    const request = await queue.getRequest(idOf(n));
    await queue.updateRequest({ ...request!, handledAt: new Date().toISOString() });
  }
  await client.teardown();
  const folder = join(dir, 'request_queues', name);
  const files = new QueueFiles(folder, { id, createdAt: '', modifiedAt: '', accessedAt: '' }, false);
  return { id, folder, files, queue };
}

/** A second view of the queue, as another process holds it (own index, same store lock). */
function anotherProcess(id: string, files: QueueFiles): QueueEngine {
  const copy = new QueueFiles(files.dir, files.fallbackMetadata, false);
  return new QueueEngine(copy, storeLock(dir, 'request_queues', id, files.dir));
}

function recordCorrupt(): { events: MovedAside[]; stop: () => void } {
  const events: MovedAside[] = [];
  const stop = onCorruptFile((event) => events.push(event));
  return { events, stop };
}

describe('SortedList', () => {
  it('keeps random inserts and deletes in order, and reads on from any item', () => {
    const list = new SortedList<number>((a, b) => a - b, 8);
    const reference = new Set<number>();
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % 1000;
    };
    for (let i = 0; i < 5000; i += 1) {
      const n = random();
      if (i % 3 === 2) expect(list.delete(n)).toBe(reference.delete(n));
      else expect(list.insert(n)).toBe(!reference.has(n) && Boolean(reference.add(n)));
    }
    const sorted = [...reference].sort((a, b) => a - b);
    expect(list.toArray()).toEqual(sorted);
    expect(list.size).toBe(sorted.length);
    const from = sorted[Math.floor(sorted.length / 2)] as number;
    expect([...list.values(from)]).toEqual(sorted.filter((n) => n > from));
    expect([...list.values(from + 0.5)]).toEqual(sorted.filter((n) => n > from + 0.5));
    expect(list.has(from)).toBe(true);
  });
});

describe('journal lines', () => {
  it('round-trip every change, percent-encoding what is not plain, and refuse malformed lines', () => {
    const ops: JournalOp[] = [
      { op: 'add', id: 'abcABC012345678', order: -17 },
      { op: 'add', id: 'x', order: null },
      { op: 'handle', id: 'x' },
      { op: 'pend', id: 'x', order: 12 },
      { op: 'delete', id: 'x' },
      { op: 'lock', id: 'x', expiresAt: 1_900_000_000_000, clientKey: 'key with spaces/é', owner: 'ab12' },
      { op: 'unlock', id: 'x' },
      { op: 'client', clientKey: 'k%1' },
      { op: 'commit', mark: '1795877190133166448', modifiedAt: 0 },
    ];
    for (const op of ops) {
      const line = encodeOp(op);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toMatch(/[\s](?=\s)|\n/);
      expect(parseOp(line.slice(0, -1))).toEqual(op);
    }
    for (const bad of ['', 'z x', 'a x', 'a x 1 2', 'h', 'l x 1 k', 'c abc 1', 'p x NaN', 'k', 'a %zz 1']) {
      expect(parseOp(bad), bad).toBeUndefined();
    }
  });
});

describe('snapshot', () => {
  /** Every id with its state: order when pending, 'h' when handled. */
  const states = (index: QueueIndex) =>
    Object.fromEntries(
      [...index.entries.keys()].sort().map((id) => [id, index.entries.get(id)?.order ?? 'h']),
    );

  async function roundTrip(index: QueueIndex): Promise<QueueIndex> {
    const path = join(dir, `snapshot-${Math.random()}.txt`);
    await writeFile(path, serialiseSnapshot(index, 3, Date.now()));
    const read = await readSnapshot(path);
    if (read.state !== 'ok') throw new Error(`snapshot did not load: ${JSON.stringify(read)}`);
    expect(read.gen).toBe(3);
    return read.index;
  }

  it('round-trips pending and handled ids, and changes made to handled ids after loading', async () => {
    const index = new QueueIndex();
    index.add('pb', 5);
    index.add('pa', -7);
    for (const id of ['hz', 'ha', 'hm', 'odd~id', 'x.y', 'h%1']) index.add(id, null);
    index.apply({ op: 'lock', id: 'pb', expiresAt: Date.now() + 60_000, clientKey: 'k', owner: 'o' });
    index.apply({ op: 'client', clientKey: 'k' });
    const loaded = await roundTrip(index);
    expect(states(loaded)).toEqual(states(index));
    expect(loaded.pending.toArray().map((e) => e.id)).toEqual(['pa', 'pb']);
    expect(loaded.entries.get('pb')?.lock?.clientKey).toBe('k');
    expect([loaded.totalCount, loaded.handledCount, loaded.firstClientKey]).toEqual([8, 6, 'k']);
    // Handled ids now live in the frozen block: delete one, make one pending again, handle another.
    loaded.apply({ op: 'delete', id: 'hm' });
    loaded.apply({ op: 'pend', id: 'ha', order: 9 });
    loaded.apply({ op: 'handle', id: 'pa' });
    loaded.apply({ op: 'add', id: 'hz', order: 11 }); // known id: ignored
    expect(loaded.entries.get('hm')).toBeUndefined();
    expect(loaded.entries.get('ha')?.order).toBe(9);
    expect(loaded.entries.get('hz')).toBeNull();
    expect([loaded.totalCount, loaded.handledCount, loaded.pendingCount]).toEqual([7, 5, 2]);
    const again = await roundTrip(loaded);
    expect(states(again)).toEqual(states(loaded));
    expect([again.totalCount, again.handledCount]).toEqual([7, 5]);
  });
});

describe('opening a queue', () => {
  it('reads the snapshot and journal, not the request files', async () => {
    const { folder, files } = await seeded('q', 60, 20);
    // Spoil a handled request's file in place (the folder's mtime stays): only a scan would notice.
    await writeFile(join(folder, `${idOf(3)}.json`), '{ not json');
    const loaded = await loadQueue(files);
    expect(loaded.index.totalCount).toBe(60);
    expect(loaded.index.handledCount).toBe(20);
    expect(loaded.index.pending.toArray()[0]?.id).toBe(idOf(20));
    expect(await readdir(folder)).not.toContain('__corrupt__');
  });

  it('scans when the index is gone: an unreadable request file is moved aside and reported', async () => {
    const { folder, files } = await seeded('q', 30, 5);
    await writeFile(join(folder, `${idOf(10)}.json`), '{ not json');
    await rm(files.indexDir, { recursive: true });
    const corrupt = recordCorrupt();
    try {
      const loaded = await loadQueue(files);
      expect(loaded.index.totalCount).toBe(29);
      expect(loaded.index.handledCount).toBe(5);
      expect(loaded.index.pending.toArray().map((e) => e.id)).toEqual(
        Array.from({ length: 25 }, (_, i) => i + 5)
          .filter((n) => n !== 10)
          .map(idOf),
      );
    } finally {
      corrupt.stop();
    }
    expect(corrupt.events.map((e) => e.file)).toEqual([join(folder, `${idOf(10)}.json`)]);
    expect(await readdir(join(folder, '__corrupt__'))).toHaveLength(1);
    const metadata = JSON.parse(await readFile(join(folder, '__metadata__.json'), 'utf8'));
    expect(metadata).toMatchObject({
      totalRequestCount: 29,
      handledRequestCount: 5,
      pendingRequestCount: 24,
    });
  });

  it('a journal line that does not parse: the journal is moved aside and the folder indexed again', async () => {
    const { files } = await seeded('q', 10, 2);
    await appendFile(files.journal, 'garbage here\nc 1 0\n');
    const corrupt = recordCorrupt();
    try {
      const loaded = await loadQueue(files);
      expect([loaded.index.totalCount, loaded.index.handledCount]).toEqual([10, 2]);
    } finally {
      corrupt.stop();
    }
    expect(corrupt.events).toHaveLength(1);
    expect(corrupt.events[0]?.file).toBe(files.journal);
    expect(await readdir(join(files.indexDir, '__corrupt__'))).toHaveLength(1);
  });

  it('finishes a change a dead process left half done: keeps what reached the disk, drops the rest', async () => {
    const { folder, files } = await seeded('q', 5);
    const snapshotBefore = await readFile(files.snapshot, 'utf8');
    // The dead writer had journaled two adds and written one file, and was cut mid-line.
    const written = { id: idOf('kept'), url: url('kept'), uniqueKey: url('kept'), method: 'GET' as const };
    await writeRequestFile(
      folder,
      { ...written, json: JSON.stringify(written), orderNo: 100, retryCount: 0 },
      false,
    );
    await appendFile(files.journal, `a ${idOf('kept')} 100\na ${idOf('lost')} 101\nh ${idOf(0)}\nc 12`);
    const loaded = await loadQueue(files);
    expect(loaded.index.entries.get(idOf('kept'))).toMatchObject({ order: 100 });
    expect(loaded.index.entries.has(idOf('lost'))).toBe(false);
    expect(loaded.index.entries.get(idOf(0))).not.toBeNull(); // its file was never rewritten as handled
    const journal = await readFile(files.journal, 'latin1');
    expect(journal.endsWith('\n')).toBe(true);
    expect(journal).not.toContain(idOf('lost'));
    expect(journal.trimEnd().split('\n').at(-1)).toMatch(/^c \d+ \d+$/);
    expect(await readFile(files.snapshot, 'utf8')).toBe(snapshotBefore); // finished in place, no scan
    const again = await loadQueue(files);
    expect(again.index.totalCount).toBe(6);
  });

  it('another tool adding a file to the folder is noticed (the folder changed after our last commit)', async () => {
    const { folder, files } = await seeded('q', 3);
    const extra = { id: idOf('peer'), url: url('peer'), uniqueKey: url('peer'), method: 'GET' as const };
    await writeRequestFile(
      folder,
      { ...extra, json: JSON.stringify(extra), orderNo: 9e12, retryCount: 0 },
      false,
    );
    const loaded = await loadQueue(files);
    expect(loaded.index.pending.toArray().map((e) => e.id)).toEqual([
      idOf(0),
      idOf(1),
      idOf(2),
      idOf('peer'),
    ]);
  });
});

describe('journal rotation', () => {
  it('processes that lag one or more rotations behind catch up and agree on the queue', async () => {
    journalLimits.rotateBytes = 1500;
    const { id, files, queue } = await seeded('q', 0);
    const lagging = anotherProcess(id, files);
    const view = (engine: QueueEngine) =>
      engine.read((index) => ({
        head: index.unlockedHead(1000, Date.now()).map((e) => e.id),
        total: index.totalCount,
        handled: index.handledCount,
      }));
    expect((await view(lagging)).total).toBe(0);
    for (let round = 0; round < 6; round += 1) {
      const base = round * 30;
      await queue.batchAddRequests(
        Array.from({ length: 25 }, (_, i) => ({ url: url(base + i), uniqueKey: url(base + i) })),
      );
      for (let i = 0; i < 5; i += 1) {
        const request = await queue.getRequest(idOf(base + i));
        await queue.updateRequest({ ...request!, handledAt: new Date().toISOString() });
      }
      if (round % 2 === 1) await view(lagging); // reads now and then, missing some rotations
    }
    const snapshotHeader = JSON.parse((await readFile(files.snapshot, 'utf8')).split('\n')[0] as string);
    expect(snapshotHeader.gen).toBeGreaterThan(2);
    const fresh = await loadQueue(files);
    const expected = {
      head: fresh.index.unlockedHead(1000, Date.now()).map((e) => e.id),
      total: fresh.index.totalCount,
      handled: fresh.index.handledCount,
    };
    expect(expected).toMatchObject({ total: 150, handled: 30 });
    expect(await view(lagging)).toEqual(expected);
    expect(await view(anotherProcess(id, files))).toEqual(expected);
    await mkdir(files.indexDir, { recursive: true });
    const journals = (await readdir(files.indexDir)).filter((f) => f.startsWith('journal'));
    expect(journals.length).toBeLessThanOrEqual(2); // the current journal and at most one before it
  });
});
