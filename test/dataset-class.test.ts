/** The friendly Dataset class, over the fs engine and over apify-client → server. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetClient, Dictionary, StorageClient } from '../src/client/types.js';
import { createFsClient, Dataset, type FsClient } from '../src/index.js';
import { startTestServer } from './conformance/harness.js';
import { tempDir } from './helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

/** A fs client whose datasets record the JSON size of every pushItems call. */
function recordingClient(fs: FsClient, calls: number[]): StorageClient {
  return {
    ...fs,
    dataset: (id: string): DatasetClient => {
      const inner = fs.dataset(id);
      return {
        ...inner,
        pushItems: async (items) => {
          calls.push(Buffer.byteLength(JSON.stringify(items)));
          return inner.pushItems(items);
        },
      };
    },
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function opened(name: string, count: number): Promise<Dataset> {
  const dataset = await Dataset.open(name, { storageDir: dir });
  if (count > 0) await dataset.pushData(range(1, count).map((n) => ({ n })));
  return dataset;
}

describe('Dataset', () => {
  it('opens the default dataset, a named one, and the same instance twice', async () => {
    const byDefault = await Dataset.open(undefined, { storageDir: dir });
    expect(byDefault.name).toBe('default');
    expect(await Dataset.open(null, { storageDir: dir })).toBe(byDefault);
    const named = await Dataset.open('products', { storageDir: dir });
    expect(named.name).toBe('products');
    expect((await Dataset.open(named.id, { storageDir: dir })).id).toBe(named.id);
    await expect(Dataset.open('not valid!', { storageDir: dir })).rejects.toMatchObject({
      code: 'STORAGE_INVALID_NAME',
    });
  });

  it('pushData takes an item or an array, checks them all first, and sends large arrays in chunks', async () => {
    const calls: number[] = [];
    const client = recordingClient(createFsClient({ storageDir: dir }), calls);
    const dataset = await Dataset.open('chunks', { client });
    await dataset.pushData({ n: 0 });
    const big = range(1, 5).map((n) => ({ n, blob: 'x'.repeat(3 * 1024 * 1024) }));
    await dataset.pushData(big);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const bytes of calls) expect(bytes).toBeLessThan(9 * 1024 * 1024);
    expect(await dataset.map((item) => item.n)).toEqual([0, 1, 2, 3, 4, 5]);

    calls.length = 0;
    await expect(dataset.pushData([{ ok: 1 }, 7 as never])).rejects.toMatchObject({
      code: 'STORAGE_INVALID_VALUE',
    });
    await expect(dataset.pushData([{ ok: 1 }, { big: 1n }])).rejects.toMatchObject({
      code: 'STORAGE_INVALID_VALUE',
    });
    await expect(dataset.pushData([{ ok: 1 }, { blob: 'x'.repeat(9 * 1024 * 1024) }])).rejects.toMatchObject({
      code: 'STORAGE_ITEM_TOO_LARGE',
    });
    expect(calls).toEqual([]);
    await dataset.pushData([]);
    expect(calls).toEqual([]);
  });

  it('getData and getInfo', async () => {
    const dataset = await opened('data', 5);
    const page = await dataset.getData({ offset: 1, limit: 2, desc: true });
    expect(page.items).toEqual([{ n: 4 }, { n: 3 }]);
    expect(page.total).toBe(5);
    expect(await dataset.getInfo()).toMatchObject({ id: dataset.id, name: 'data', itemCount: 5 });
  });

  it('forEach visits the range in order with indexes; limit caps it, offset and desc choose the start', async () => {
    const dataset = await opened('each', 2_500);
    const seen: Array<[unknown, number]> = [];
    await dataset.forEach((item, index) => {
      seen.push([item.n, index]);
    });
    expect(seen).toHaveLength(2_500);
    expect(seen.every(([n, index]) => n === index + 1)).toBe(true);
    const capped: unknown[] = [];
    await dataset.forEach((item) => void capped.push(item.n), { offset: 1_998, limit: 4 });
    expect(capped).toEqual([1_999, 2_000, 2_001, 2_002]);
    const last: unknown[] = [];
    await dataset.forEach((item) => void last.push(item.n), { desc: true, limit: 2 });
    expect(last).toEqual([2_500, 2_499]);
    await expect(
      dataset.forEach(() => {
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
  });

  it('map and reduce, with Crawlee semantics for a missing memo', async () => {
    const dataset = await opened('fold', 4);
    expect(await dataset.map((item, index) => `${index}:${item.n}`)).toEqual(['0:1', '1:2', '2:3', '3:4']);
    expect(await dataset.reduce((sum, item) => sum + (item.n as number), 100)).toBe(110);
    const indexes: number[] = [];
    const merged = await dataset.reduce((memo: Dictionary, item, index) => {
      indexes.push(index);
      return { n: (memo.n as number) + (item.n as number) };
    });
    expect(merged).toEqual({ n: 10 });
    expect(indexes).toEqual([1, 2, 3]);
    const empty = await opened('empty', 0);
    expect(await empty.reduce((memo) => memo)).toBeUndefined();
    await expect(dataset.map(5 as never)).rejects.toMatchObject({ code: 'STORAGE_INVALID_OPTION' });
  });

  it('is async iterable, and values() takes the item options', async () => {
    const dataset = await opened('iterable', 3);
    const seen: unknown[] = [];
    for await (const item of dataset) seen.push(item.n);
    expect(seen).toEqual([1, 2, 3]);
    const picked: Dictionary[] = [];
    for await (const item of dataset.values({ desc: true, fields: ['n'], limit: 2 })) picked.push(item);
    expect(picked).toEqual([{ n: 3 }, { n: 2 }]);
  });

  it('drop deletes the dataset; opening it again gives a new empty one', async () => {
    const dataset = await opened('dropped', 3);
    await dataset.drop();
    expect(await dataset.getInfo()).toBeUndefined();
    const again = await Dataset.open('dropped', { storageDir: dir });
    expect(again).not.toBe(dataset);
    expect((await again.getInfo())?.itemCount).toBe(0);
  });

  it('exportTo streams a format and exportToFile writes it, with item options applied', async () => {
    const dataset = await opened('export', 3);
    await dataset.pushData({ n: 4, '#hidden': true });
    const chunks: Buffer[] = [];
    for await (const chunk of dataset.exportTo('json', { fields: ['n'], desc: true, limit: 2 }))
      chunks.push(chunk);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toEqual([{ n: 4 }, { n: 3 }]);

    const path = join(dir, 'out', 'items.jsonl');
    const result = await dataset.exportToFile(path, 'jsonl', { skipHidden: true, offset: 2 });
    const text = await readFile(path, 'utf8');
    expect(
      text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([{ n: 3 }, { n: 4 }]);
    expect(result.bytes).toBe(Buffer.byteLength(text));

    expect(() => dataset.exportTo('json', { offset: -1 })).toThrowError(
      expect.objectContaining({ code: 'STORAGE_INVALID_OPTION' }),
    );
    await expect(dataset.exportToFile(join(dir, 'x.pdf'), 'pdf' as never)).rejects.toMatchObject({
      code: 'STORAGE_UNSUPPORTED_FORMAT',
    });
  });
});

describe('Dataset over apify-client and the HTTP server', () => {
  it('pushes, pages and iterates with skipEmpty and unwind without repeating or skipping records', async () => {
    const server = await startTestServer();
    try {
      const dataset = await Dataset.open('remote', { client: server.client as unknown as StorageClient });
      const items = range(1, 40).map((n) => (n % 4 === 0 ? {} : { n, pair: [n, -n] }));
      await dataset.pushData(items);
      const seen: unknown[] = [];
      for await (const item of dataset.values({ skipEmpty: true, unwind: 'pair', chunkSize: 7 }))
        seen.push(item.pair);
      const expected = items.filter((item) => 'n' in item).flatMap((item) => [item.n, -(item.n as number)]);
      expect(seen).toEqual(expected);
      expect((await dataset.getInfo())?.itemCount).toBe(40);
    } finally {
      await server.close();
    }
  });
});
