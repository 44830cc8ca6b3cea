/**
 * A page reads only the files of that page: the item reads are counted (the engine's two file
 * readers are wrapped), and a dataset that has only the files of the page still serves it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { itemFileName, newStoreId } from '../src/fs/layout.js';
import { createFsClient, type FsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const itemReads: string[] = [];

vi.mock('../src/fs/atomic-write.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/fs/atomic-write.js')>();
  return {
    ...original,
    readFileOrUndefined: async (path: string) => {
      if (/^\d+\.json$/.test(basename(path))) itemReads.push(basename(path));
      return original.readFileOrUndefined(path);
    },
    readJsonSync: (path: string) => {
      if (/^\d+\.json$/.test(basename(path))) itemReads.push(basename(path));
      return original.readJsonSync(path);
    },
  };
});

let dir: string;
let cleanup: () => Promise<void>;
let client: FsClient;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  client = createFsClient({ storageDir: dir });
  itemReads.length = 0;
});
afterEach(async () => {
  await cleanup();
});

/** A dataset whose metadata counts `itemCount` items but whose folder holds only `numbers`. */
async function sparseDataset(name: string, itemCount: number, numbers: number[]): Promise<void> {
  const folder = join(dir, 'datasets', name);
  await mkdir(folder, { recursive: true });
  for (const n of numbers) await writeFile(join(folder, itemFileName(n)), JSON.stringify({ n }));
  const now = new Date().toISOString();
  const meta = {
    id: newStoreId(),
    name,
    createdAt: now,
    modifiedAt: now,
    accessedAt: now,
    itemCount,
    cleanItemCount: itemCount,
    fields: ['n'],
    stats: { readCount: 0, writeCount: itemCount, storageBytes: 0 },
  };
  await writeFile(join(folder, '__metadata__.json'), JSON.stringify(meta));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('page cost', () => {
  it('reads exactly the 100 files of a page, at offset 0 as at offset 500,000', async () => {
    await sparseDataset('big', 500_100, [...range(1, 100), ...range(500_001, 500_100)]);
    const dataset = client.dataset('big');
    await dataset.get(); // open once (the metadata is true, so nothing is read)
    expect(itemReads).toEqual([]);

    const first = await dataset.listItems({ offset: 0, limit: 100 });
    expect(first.items.map((i) => i.n)).toEqual(range(1, 100));
    expect(itemReads).toHaveLength(100);

    itemReads.length = 0;
    const far = await dataset.listItems({ offset: 500_000, limit: 100 });
    expect(far.items.map((i) => i.n)).toEqual(range(500_001, 500_100));
    expect(far).toMatchObject({ total: 500_100, offset: 500_000, count: 100 });
    expect(itemReads.sort()).toEqual(range(500_001, 500_100).map(itemFileName));
  });

  it('desc reads only the last files', async () => {
    await sparseDataset('tail', 500_100, range(500_091, 500_100));
    itemReads.length = 0;
    const page = await client.dataset('tail').listItems({ desc: true, limit: 10 });
    expect(page.items.map((i) => i.n)).toEqual(range(500_091, 500_100).reverse());
    expect(itemReads).toHaveLength(10);
  });

  it('iterating a range reads each of its files once and no other', async () => {
    // The last item is there, as in any dataset whose count is true (a count past the last file is repaired).
    await sparseDataset('iter', 300_000, [...range(200_001, 200_050), 300_000]);
    itemReads.length = 0;
    const seen: unknown[] = [];
    for await (const item of client.dataset('iter').listItems({ offset: 200_000, limit: 50, chunkSize: 7 })) {
      seen.push(item.n);
    }
    expect(seen).toEqual(range(200_001, 200_050));
    expect(itemReads.sort()).toEqual(range(200_001, 200_050).map(itemFileName));
  });

  it('serves numbers past 999,999,999 with wider file names', async () => {
    await sparseDataset('wide', 1_000_000_002, [999_999_999, 1_000_000_000, 1_000_000_001, 1_000_000_002]);
    const page = await client.dataset('wide').listItems({ offset: 999_999_998 });
    expect(page.items.map((i) => i.n)).toEqual([999_999_999, 1_000_000_000, 1_000_000_001, 1_000_000_002]);
    await client.dataset('wide').pushItems({ n: 1_000_000_003 });
    expect((await client.dataset('wide').listItems({ desc: true, limit: 1 })).items).toEqual([
      { n: 1_000_000_003 },
    ]);
  });
});
