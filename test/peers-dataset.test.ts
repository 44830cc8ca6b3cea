/**
 * Datasets shared with the other local storages of the Apify world: folders written by
 * @crawlee/memory-storage 3.x and @apify/storage-local 2.x open here, and memory-storage reads ours.
 */
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MemoryStorage } from '@crawlee/memory-storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

/** The part of @apify/storage-local 2.x used here (its package ships no types for ESM importers). */
interface StorageLocal {
  datasets(): { getOrCreate(name: string): Promise<unknown> };
  dataset(name: string): { pushItems(items: unknown): Promise<void> };
}
const { ApifyStorageLocal } = createRequire(import.meta.url)('@apify/storage-local') as {
  ApifyStorageLocal: new (options: { storageDir: string }) => StorageLocal;
};

let dir: string;
let cleanup: () => Promise<void>;
const savedEnv = { ...process.env };

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  // Both peers prefer these over the folder they are given.
  delete process.env.APIFY_LOCAL_STORAGE_DIR;
  delete process.env.CRAWLEE_STORAGE_DIR;
});
afterEach(async () => {
  process.env = { ...savedEnv };
  await cleanup();
});

/** A memory-storage that persists to `dir`; `teardown()` waits for its background metadata writes. */
const memoryStorage = () =>
  new MemoryStorage({ localDataDirectory: dir, persistStorage: true, writeMetadata: true });

describe('datasets shared with peers', () => {
  it('opens and reads a dataset @crawlee/memory-storage wrote, and appends after its items', async () => {
    const peer = memoryStorage();
    const created = await peer.datasets().getOrCreate('from-crawlee');
    await peer.dataset(created.id).pushItems([{ a: 1 }, { b: 'žluť', '#hidden': true }]);
    await peer.dataset(created.id).pushItems(JSON.stringify({ c: [1, 2] }));
    await peer.teardown();

    const client = createFsClient({ storageDir: dir });
    const info = await client.dataset('from-crawlee').get();
    expect(info).toMatchObject({ id: created.id, name: 'from-crawlee', itemCount: 3, cleanItemCount: 3 });
    expect((await client.dataset(created.id).get())?.name).toBe('from-crawlee');
    expect((await client.dataset('from-crawlee').listItems()).items).toEqual([
      { a: 1 },
      { b: 'žluť', '#hidden': true },
      { c: [1, 2] },
    ]);
    await client.dataset('from-crawlee').pushItems({ d: 4 });
    expect((await client.dataset('from-crawlee').listItems({ desc: true, limit: 1 })).items).toEqual([
      { d: 4 },
    ]);
    await client.teardown(); // lets the lock go: the metadata is on disk for the peer

    const again = memoryStorage();
    const page = await again.dataset('from-crawlee').listItems();
    expect(page.total).toBe(4);
    expect(page.items.at(-1)).toEqual({ d: 4 });
  });

  it('lists an unnamed memory-storage dataset (stored under its id) with unnamed: true', async () => {
    const peer = memoryStorage();
    const created = await peer.datasets().getOrCreate();
    await peer.dataset(created.id).pushItems({ only: 1 });
    await peer.teardown();
    const client = createFsClient({ storageDir: dir });
    const all = await client.datasets().list({ unnamed: true });
    expect(all.items.map((d) => d.id)).toContain(created.id);
    expect((await client.datasets().list()).items.map((d) => d.id)).not.toContain(created.id);
    expect((await client.dataset(created.id).listItems()).items).toEqual([{ only: 1 }]);
  });

  it('opens and reads a dataset @apify/storage-local wrote (no metadata at all)', async () => {
    const peer = new ApifyStorageLocal({ storageDir: dir });
    await peer.datasets().getOrCreate('from-local');
    await peer.dataset('from-local').pushItems([{ n: 1 }, { n: 2, nested: { x: true } }]);
    await peer.dataset('from-local').pushItems('{"n": 3}');

    const client = createFsClient({ storageDir: dir });
    const info = await client.dataset('from-local').get();
    expect(info).toMatchObject({
      id: 'from-local',
      name: 'from-local',
      itemCount: 3,
      fields: ['n', 'nested'],
    });
    expect((await client.dataset('from-local').listItems({ flatten: ['nested'] })).items).toEqual([
      { n: 1 },
      { n: 2, 'nested.x': true },
      { n: 3 },
    ]);
    await client.dataset('from-local').pushItems({ n: 4 });
    expect(await readdir(join(dir, 'datasets', 'from-local'))).toContain('000000004.json');
  });

  it('@crawlee/memory-storage reads a dataset written here', async () => {
    const client = createFsClient({ storageDir: dir });
    const ours = await client.datasets().getOrCreate('default');
    const items = Array.from({ length: 12 }, (_, i) => ({
      i,
      text: `item ${i}`,
      nested: { even: i % 2 === 0 },
    }));
    await client.dataset('default').pushItems(items.slice(0, 5));
    await client.dataset('default').pushItems(items.slice(5));
    await client.teardown(); // lets the lock go: the metadata is on disk for the peer

    const peer = memoryStorage();
    const info = await peer.dataset('default').get();
    expect(info).toMatchObject({ id: ours.id, name: 'default', itemCount: 12 });
    expect((await peer.dataset('default').listItems()).items).toEqual(items);
    expect((await peer.dataset('default').listItems({ offset: 10, limit: 5 })).items).toEqual(
      items.slice(10),
    );
    await peer.dataset('default').pushItems({ i: 12 });
    await peer.teardown();
    // memory-storage's metadata writes race each other, so its itemCount may lag its files; our next
    // write probes past the count and adopts the item it wrote.
    await client.dataset('default').pushItems({ i: 13 });
    const tail = await client.dataset('default').listItems({ desc: true, limit: 2 });
    expect(tail.items).toEqual([{ i: 13 }, { i: 12 }]);
    expect(tail.total).toBe(14);
  });
});
