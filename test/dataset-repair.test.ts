/**
 * Opening datasets left damaged by a crash or by hand: metadata that lags the files, is missing or
 * corrupt, item files that do not parse, stray files. Each folder is made by hand under a new id,
 * so this process opens it for the first time, as a new process would.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onCorruptFile } from '../src/fs/atomic-write.js';
import { itemFileName, newStoreId } from '../src/fs/layout.js';
import { createFsClient, type FsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;
let client: FsClient;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  client = createFsClient({ storageDir: dir });
});
afterEach(async () => {
  await cleanup();
});

interface Fixture {
  /** Item numbers to write as `{ n }`. */
  items: number[];
  /** Metadata to write: an object, raw text, or nothing. */
  metadata?: Record<string, unknown> | string;
}

/** Writes a dataset folder by hand; returns its path. */
async function makeDataset(name: string, fixture: Fixture): Promise<string> {
  const folder = join(dir, 'datasets', name);
  await mkdir(folder, { recursive: true });
  for (const n of fixture.items) await writeFile(join(folder, itemFileName(n)), JSON.stringify({ n }));
  if (typeof fixture.metadata === 'string')
    await writeFile(join(folder, '__metadata__.json'), fixture.metadata);
  else if (fixture.metadata)
    await writeFile(join(folder, '__metadata__.json'), JSON.stringify(fixture.metadata));
  return folder;
}

function metadata(itemCount: number, extra: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    id: newStoreId(),
    name: 'damaged',
    createdAt: now,
    modifiedAt: now,
    accessedAt: now,
    itemCount,
    cleanItemCount: itemCount,
    fields: itemCount > 0 ? ['n'] : [],
    stats: { readCount: 0, writeCount: itemCount, storageBytes: 0 },
    ...extra,
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const readMeta = async (folder: string) =>
  JSON.parse(await readFile(join(folder, '__metadata__.json'), 'utf8'));
const ns = (items: Array<Record<string, unknown>>) => items.map((item) => item.n);

describe('dataset repair on open', () => {
  it('adopts items a crashed writer left past a stale itemCount, and writes the count back', async () => {
    const folder = await makeDataset('damaged', { items: range(1, 10), metadata: metadata(6) });
    const info = await client.dataset('damaged').get();
    expect(info).toMatchObject({ itemCount: 10, cleanItemCount: 10 });
    expect(ns((await client.dataset('damaged').listItems()).items)).toEqual(range(1, 10));
    expect((await readMeta(folder)).itemCount).toBe(10);
    await client.dataset('damaged').pushItems({ n: 11 });
    expect(await readdir(folder)).toContain('000000011.json');
  });

  it('steps over a gap that parallel writes left before a crash', async () => {
    const folder = await makeDataset('damaged', { items: [...range(1, 6), 8, 9, 20], metadata: metadata(5) });
    const info = await client.dataset('damaged').get();
    expect(info?.itemCount).toBe(20);
    const page = await client.dataset('damaged').listItems();
    expect(ns(page.items)).toEqual([...range(1, 6), 8, 9, 20]);
    expect(page.total).toBe(20);
    await client.dataset('damaged').pushItems({ n: 21 });
    expect(await readdir(folder)).toContain('000000021.json');
  });

  it('opens a folder without metadata, ignoring stray files such as .DS_Store', async () => {
    const folder = await makeDataset('no-meta', { items: range(1, 5) });
    await writeFile(join(folder, '.DS_Store'), 'binary junk');
    await writeFile(join(folder, 'notes.txt'), 'a person left this');
    const info = await client.dataset('no-meta').get();
    expect(info).toMatchObject({
      id: 'no-meta',
      name: 'no-meta',
      itemCount: 5,
      cleanItemCount: 5,
      fields: ['n'],
    });
    expect(ns((await client.dataset('no-meta').listItems()).items)).toEqual(range(1, 5));
    expect(await readMeta(folder)).toMatchObject({ id: 'no-meta', itemCount: 5 });
    expect(await readdir(folder)).toEqual(expect.arrayContaining(['.DS_Store', 'notes.txt']));
  });

  it('moves corrupt metadata aside and rebuilds it from the files', async () => {
    const reports: string[] = [];
    const stop = onCorruptFile((event) => reports.push(event.file));
    try {
      const folder = await makeDataset('bad-meta', { items: range(1, 4), metadata: '{"id": "abc", "itemC' });
      expect((await client.dataset('bad-meta').get())?.itemCount).toBe(4);
      expect(reports).toEqual([join(folder, '__metadata__.json')]);
      const aside = await readdir(join(folder, '__corrupt__'));
      expect(aside).toHaveLength(1);
      expect(await readFile(join(folder, '__corrupt__', aside[0]!), 'utf8')).toBe('{"id": "abc", "itemC');
      expect((await readMeta(folder)).itemCount).toBe(4);
    } finally {
      stop();
    }
  });

  it('moves a truncated item file aside when it is read; the good items stay', async () => {
    const reports: string[] = [];
    const stop = onCorruptFile((event) => reports.push(event.file));
    try {
      const folder = await makeDataset('truncated', { items: range(1, 5), metadata: metadata(5) });
      await writeFile(join(folder, itemFileName(3)), '{"n": 3, "tit');
      const page = await client.dataset('truncated').listItems();
      expect(ns(page.items)).toEqual([1, 2, 4, 5]);
      expect(page.total).toBe(5);
      expect(reports).toEqual([join(folder, itemFileName(3))]);
      expect(await readdir(join(folder, '__corrupt__'))).toEqual([
        expect.stringMatching(/^000000003\.json\.\d+$/),
      ]);
      expect(ns((await client.dataset('truncated').listItems()).items)).toEqual([1, 2, 4, 5]);
    } finally {
      stop();
    }
  });

  it('survives everything at once: no metadata, a truncated item and a stray file', async () => {
    const folder = await makeDataset('mess', { items: range(1, 6) });
    await writeFile(join(folder, itemFileName(2)), '');
    await writeFile(join(folder, '.DS_Store'), '\u0000\u0001');
    const info = await client.dataset('mess').get();
    expect(info).toMatchObject({ itemCount: 6, cleanItemCount: 5 });
    expect(ns((await client.dataset('mess').listItems()).items)).toEqual([1, 3, 4, 5, 6]);
    await client.dataset('mess').pushItems({ n: 7 });
    expect((await client.dataset('mess').get())?.itemCount).toBe(7);
    await client.teardown(); // the metadata is written when the lock is let go
    expect((await readMeta(folder)).itemCount).toBe(7);
  });

  it('completes metadata written by @crawlee/memory-storage (itemCount only)', async () => {
    const now = new Date().toISOString();
    const folder = await makeDataset('from-crawlee', {
      items: range(1, 3),
      metadata: {
        id: 'f3b0c2c4-9a4b-4c1e-9d55-0c4f9a1c2b3d',
        name: 'from-crawlee',
        createdAt: now,
        accessedAt: now,
        modifiedAt: now,
        itemCount: 3,
      },
    });
    expect(await client.dataset('from-crawlee').get()).toMatchObject({
      id: 'f3b0c2c4-9a4b-4c1e-9d55-0c4f9a1c2b3d',
      itemCount: 3,
      cleanItemCount: 3,
      fields: ['n'],
    });
    expect(await readMeta(folder)).toMatchObject({ cleanItemCount: 3, fields: ['n'] });
  });

  it("lists only folders that can be opened (not a peer's temp folders)", async () => {
    await makeDataset('__CRAWLEE_TEMPORARY_0_123', { items: [1] });
    await makeDataset('real-one', { items: [1, 2] });
    const all = await client.datasets().list({ unnamed: true });
    expect(all.items.map((d) => d.name)).toEqual(['real-one']);
    expect(all.items[0]?.itemCount).toBe(2);
  });

  it('reads a healthy dataset without taking its lock (readers never wait for writers)', async () => {
    await makeDataset('healthy', { items: range(1, 3), metadata: metadata(3) });
    expect(ns((await client.dataset('healthy').listItems()).items)).toEqual([1, 2, 3]);
    expect((await client.dataset('healthy').get())?.itemCount).toBe(3);
    expect(await readdir(dir)).not.toContain('.locks');
    await client.dataset('healthy').pushItems({ n: 4 });
    expect(await readdir(dir)).toContain('.locks');
    expect(ns((await client.dataset('healthy').listItems()).items)).toEqual([1, 2, 3, 4]);
  });
});
