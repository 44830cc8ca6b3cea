/** Crawlee's own Dataset class running on the fs engine as its storage client. */
import { Configuration, Dataset as CrawleeDataset } from 'crawlee';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

describe('Crawlee Dataset over the fs engine', () => {
  it('pushes, reads, iterates and exports as with its own storage', async () => {
    const storageClient = createFsClient({ storageDir: dir });
    const config = new Configuration({ storageClient, purgeOnStart: false });
    const dataset = await CrawleeDataset.open('crawled', { config, storageClient });
    const items = Array.from({ length: 30 }, (_, i) => ({ i, url: `https://example.com/${i}` }));
    await dataset.pushData(items.slice(0, 1)[0]!);
    await dataset.pushData(items.slice(1));

    expect((await dataset.getInfo())?.itemCount).toBe(30);
    const page = await dataset.getData({ offset: 5, limit: 3, fields: ['i'] });
    expect(page.items).toEqual([{ i: 5 }, { i: 6 }, { i: 7 }]);

    const visited: number[] = [];
    await dataset.forEach((item, index) => {
      expect(item.i).toBe(index);
      visited.push(item.i as number);
    });
    expect(visited).toHaveLength(30);

    const seen: unknown[] = [];
    for await (const item of dataset) seen.push(item.i);
    expect(seen).toEqual(items.map((item) => item.i));

    expect(await dataset.reduce((sum, item) => sum + (item.i as number), 0)).toBe(435);
    expect(await dataset.export({ desc: true })).toEqual([...items].reverse());
    await dataset.drop();
    expect(await storageClient.dataset('crawled').get()).toBeUndefined();
  });
});
