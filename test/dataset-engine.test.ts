/** Dataset behaviour of the fs engine that apify-client cannot show over HTTP (it recounts pages itself). */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dictionary } from '../src/client/types.js';
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

async function seeded(name: string, items: Dictionary[]) {
  await client.datasets().getOrCreate(name);
  const dataset = client.dataset(name);
  await dataset.pushItems(items);
  return dataset;
}

describe('fs engine datasets', () => {
  it('count is the number of stored items of the page, whatever unwind and skipEmpty make of them', async () => {
    const dataset = await seeded('counts', [{ l: [1, 2, 3] }, {}, { l: [4] }, {}]);
    const unwound = await dataset.listItems({ unwind: 'l', limit: 3 });
    expect(unwound.items).toHaveLength(5);
    expect(unwound).toMatchObject({ count: 3, limit: 3, total: 4 });
    const skipped = await dataset.listItems({ skipEmpty: true });
    expect(skipped.items).toHaveLength(2);
    expect(skipped.count).toBe(4);
    expect((await dataset.listItems()).limit).toBe(999_999_999_999);
  });

  it('iterating with skipEmpty or unwind yields each record once (pages advance by stored items)', async () => {
    const items = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? {} : { i, pair: [i, -i] }));
    const dataset = await seeded('iterate', items);
    const seen: unknown[] = [];
    for await (const item of dataset.listItems({ skipEmpty: true, unwind: 'pair', chunkSize: 4 })) {
      seen.push(item.pair);
    }
    const expected = items.filter((item) => 'i' in item).flatMap((item) => [item.i, -(item.i as number)]);
    expect(seen).toEqual(expected);
  });

  it('refuses functions anywhere in an item, which JSON would drop silently', async () => {
    const dataset = await seeded('functions', [{ n: 1 }]);
    for (const bad of [
      { fn: () => 1 },
      { nested: { fn: () => 1 } },
      { list: [() => 1] },
      { s: Symbol('s') },
    ]) {
      await expect(dataset.pushItems([{ n: 2 }, bad as never])).rejects.toMatchObject({
        code: 'STORAGE_INVALID_VALUE',
      });
    }
    await expect(dataset.pushItems({ date: new Date(0) } as never)).resolves.toBeUndefined();
    await expect(dataset.pushItems(new Date(0) as never)).rejects.toMatchObject({
      code: 'STORAGE_INVALID_VALUE',
    });
    expect((await dataset.get())?.itemCount).toBe(2);
  });

  it('refuses an item of exactly 9 MiB of JSON and takes one a byte under', async () => {
    const dataset = await seeded('limit', []);
    const overhead = JSON.stringify({ b: '' }).length;
    const limit = 9 * 1024 * 1024;
    await expect(dataset.pushItems({ b: 'x'.repeat(limit - overhead) })).rejects.toMatchObject({
      code: 'STORAGE_ITEM_TOO_LARGE',
      details: { bytes: limit, limit },
    });
    await dataset.pushItems({ b: 'x'.repeat(limit - overhead - 1) });
    expect((await dataset.get())?.itemCount).toBe(1);
  });

  it('iterateItems gives the pagination facts and a source that can be read twice', async () => {
    const dataset = await seeded(
      'stream',
      Array.from({ length: 7 }, (_, n) => ({ n: n + 1, '#h': 1 })),
    );
    const stream = await dataset.iterateItems({
      offset: 2,
      limit: 3,
      desc: true,
      skipHidden: true,
      chunkSize: 2,
    });
    expect(stream).toMatchObject({ total: 7, offset: 2, limit: 3, count: 3, desc: true });
    for (let pass = 0; pass < 2; pass += 1) {
      const seen: Dictionary[] = [];
      for await (const item of stream.items()) seen.push(item);
      expect(seen).toEqual([{ n: 5 }, { n: 4 }, { n: 3 }]);
    }
    await expect(dataset.iterateItems({ nope: 1 } as never)).rejects.toMatchObject({
      code: 'STORAGE_INVALID_OPTION',
    });
  });

  it('listItems does nothing until awaited or iterated, and bad options reject instead of throwing', async () => {
    const dataset = client.dataset('missing');
    const pending = dataset.listItems({ bad: true } as never);
    await expect(pending).rejects.toMatchObject({ code: 'STORAGE_INVALID_OPTION' });
    const iterate = async () => {
      for await (const _ of dataset.listItems()) return;
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND' });
  });

  it('several clients of one process share a dataset and number its items without doubles', async () => {
    await client.datasets().getOrCreate('shared');
    const other = createFsClient({ storageDir: dir });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? client : other).dataset('shared').pushItems([
          { i, part: 0 },
          { i, part: 1 },
        ]),
      ),
    );
    const { items, total } = await other.dataset('shared').listItems();
    expect(total).toBe(40);
    const keys = items.map((item) => `${item.i}/${item.part}`);
    expect(new Set(keys).size).toBe(40);
    for (let i = 0; i < 40; i += 2) expect(items[i]?.i).toBe(items[i + 1]?.i); // each push stays together
  });

  it('counts reads in stats and keeps accessedAt in memory until the next write', async () => {
    const dataset = await seeded('reads', [{ a: 1 }, { a: 2 }]);
    await dataset.listItems();
    await dataset.listItems({ limit: 1 });
    const info = await dataset.get();
    expect(info?.stats).toMatchObject({ readCount: 3, writeCount: 2 });
    expect(info?.stats?.storageBytes).toBeGreaterThan(0);
    await dataset.pushItems({ a: 3 });
    await client.teardown(); // the metadata is written when the lock is let go
    const onDisk = JSON.parse(await readFile(join(dir, 'datasets', 'reads', '__metadata__.json'), 'utf8'));
    expect(onDisk.stats.readCount).toBe(3);
    expect(new Date(onDisk.accessedAt).getTime()).toBeGreaterThanOrEqual(info!.accessedAt.getTime());
  });

  it('writes racing a rename land in the renamed folder; writes racing a delete fail as not found', async () => {
    const dataset = await seeded('racing', [{ n: 0 }]);
    const { id } = (await dataset.get())!;
    const byId = client.dataset(id);
    await Promise.all([byId.pushItems({ n: 1 }), byId.update({ name: 'raced' }), byId.pushItems({ n: 2 })]);
    const page = await client.dataset('raced').listItems();
    expect(page.items.map((item) => item.n).sort()).toEqual([0, 1, 2]);
    expect(await readdir(join(dir, 'datasets'))).toEqual(['raced']);

    const results = await Promise.allSettled([
      byId.pushItems({ n: 3 }),
      byId.delete(),
      byId.pushItems({ n: 4 }),
    ]);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'STORAGE_NOT_FOUND' });
    }
    expect(await byId.get()).toBeUndefined();
  });
});
