/**
 * Key-value stores shared with the other local implementations: folders written by
 * @crawlee/memory-storage 3.x and @apify/storage-local 2.x (made by those packages here) open and
 * read correctly, and both read the records we write. Crawlee's own KeyValueStore runs over us.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MemoryStorage } from '@crawlee/memory-storage';
import { Configuration, KeyValueStore as CrawleeKeyValueStore } from 'crawlee';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsClient, type FsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

/** The part of @apify/storage-local 2.x used here (its package exports no types for ESM). */
interface StorageLocalKvs {
  setRecord(r: { key: string; value: unknown; contentType?: string }): Promise<void>;
  getRecord(key: string): Promise<{ value: unknown; contentType?: string } | undefined>;
}
interface StorageLocal {
  keyValueStores(): { getOrCreate(name: string): Promise<unknown> };
  keyValueStore(name: string): StorageLocalKvs;
}
const { ApifyStorageLocal } = createRequire(import.meta.url)('@apify/storage-local') as {
  ApifyStorageLocal: new (options: { storageDir: string; enableWalMode: boolean }) => StorageLocal;
};

let dir: string;
let cleanup: () => Promise<void>;
let ours: FsClient;
const savedEnv = { ...process.env };

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  for (const name of ['APIFY_LOCAL_STORAGE_DIR', 'CRAWLEE_STORAGE_DIR', 'DEBUG']) delete process.env[name];
  ours = createFsClient({ storageDir: dir });
});
afterEach(async () => {
  process.env = { ...savedEnv };
  await cleanup();
});

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

/** The records every test writes with a peer and reads with the other side. */
async function writeSamples(store: {
  setRecord(r: { key: string; value: unknown; contentType?: string }): Promise<void>;
}): Promise<void> {
  await store.setRecord({ key: 'OUTPUT', value: { items: [1, 2], ok: true } });
  await store.setRecord({ key: 'note', value: 'plain text ✓' });
  await store.setRecord({ key: 'shot', value: PNG, contentType: 'image/png' });
  await store.setRecord({ key: 'blob', value: Buffer.from([0, 255]) });
  await store.setRecord({ key: 'page', value: '<h1>x</h1>', contentType: 'text/html; charset=utf-8' });
}

async function expectSamples(store: {
  getRecord(key: string): Promise<{ value: unknown; contentType?: string } | undefined>;
}): Promise<void> {
  expect(await store.getRecord('OUTPUT')).toMatchObject({ value: { items: [1, 2], ok: true } });
  expect((await store.getRecord('OUTPUT'))?.contentType).toMatch(/^application\/json/);
  expect(await store.getRecord('note')).toMatchObject({ value: 'plain text ✓' });
  expect((await store.getRecord('note'))?.contentType).toMatch(/^text\/plain/);
  const shot = await store.getRecord('shot');
  expect(shot?.contentType).toBe('image/png');
  expect(Buffer.from(shot?.value as Buffer)).toEqual(PNG);
  expect(Buffer.from((await store.getRecord('blob'))?.value as Buffer)).toEqual(Buffer.from([0, 255]));
  expect(await store.getRecord('page')).toMatchObject({ value: '<h1>x</h1>' });
  expect((await store.getRecord('page'))?.contentType).toMatch(/^text\/html/);
}

describe('stores written by @crawlee/memory-storage 3.x', () => {
  it.each([true, false])('open and read here (writeMetadata: %s)', async (writeMetadata) => {
    const ms = new MemoryStorage({ localDataDirectory: dir, writeMetadata, persistStorage: true });
    const info = await ms.keyValueStores().getOrCreate('from-ms');
    const store = ms.keyValueStore(info.id);
    await writeSamples(store);
    await store.setRecord({ key: 'photo.png', value: PNG, contentType: 'image/png' });
    await ms.teardown();

    const here = ours.keyValueStore('from-ms');
    expect((await here.get())?.name).toBe('from-ms');
    await expectSamples(here);
    const photoKey = writeMetadata ? 'photo.png' : 'photo';
    expect((await here.getRecord(photoKey))?.contentType).toBe('image/png');
    const keys = (await here.listKeys()).items.map((i) => i.key);
    // Without sidecars memory-storage itself reads the file "photo.png" as key "photo".
    expect(keys).toEqual(['OUTPUT', 'blob', 'note', 'page', photoKey, 'shot']);
    for (const item of (await here.listKeys()).items) expect(item.size).toBeGreaterThan(0);
  });

  it('a hand-placed INPUT.json with comments opens here', async () => {
    const ms = new MemoryStorage({ localDataDirectory: dir, persistStorage: true });
    const info = await ms.keyValueStores().getOrCreate('default');
    await ms.keyValueStore(info.id).setRecord({ key: 'OTHER', value: 'x' });
    await ms.teardown();
    const folder = join(dir, 'key_value_stores', 'default');
    await writeFile(
      join(folder, 'INPUT.json'),
      '{\n  // crawl these\n  "startUrls": ["https://a.example",],\n}\n',
    );
    expect((await ours.keyValueStore('default').getRecord('INPUT'))?.value).toEqual({
      startUrls: ['https://a.example'],
    });
  });

  it('memory-storage reads the records we write', async () => {
    const { id } = await ours.keyValueStores().getOrCreate('from-us');
    const store = ours.keyValueStore(id);
    await writeSamples(store);
    await store.setRecord({ key: 'photo.png', value: PNG, contentType: 'image/png' });
    await store.setRecord({ key: 'INPUT', value: { a: 1 } });

    const ms = new MemoryStorage({ localDataDirectory: dir, writeMetadata: false, persistStorage: true });
    const there = ms.keyValueStore('from-us');
    expect((await there.get())?.id).toBe(id);
    await expectSamples(there);
    const photo = await there.getRecord('photo.png');
    expect(photo?.contentType).toBe('image/png');
    expect(Buffer.from(photo?.value as Buffer)).toEqual(PNG);
    expect((await there.getRecord('INPUT'))?.value).toEqual({ a: 1 });
    expect(await there.recordExists('note')).toBe(true);
  });

  it('a record memory-storage wrote changes content type here without leaving its old file', async () => {
    const ms = new MemoryStorage({ localDataDirectory: dir, writeMetadata: false, persistStorage: true });
    const info = await ms.keyValueStores().getOrCreate('mixed');
    await ms.keyValueStore(info.id).setRecord({ key: 'shot', value: PNG, contentType: 'image/png' });
    await ms.teardown();
    await ours.keyValueStore('mixed').setRecord({ key: 'shot', value: { now: 'json' } });
    const files = (await readdir(join(dir, 'key_value_stores', 'mixed'))).filter(
      (f) => f !== '__metadata__.json',
    );
    expect(files.sort()).toEqual(['shot.__metadata__.json', 'shot.json']);
  });
});

describe('stores written by @apify/storage-local 2.x', () => {
  it('open and read here, and storage-local reads ours', async () => {
    const local = new ApifyStorageLocal({ storageDir: dir, enableWalMode: false });
    await local.keyValueStores().getOrCreate('from-local');
    await writeSamples(local.keyValueStore('from-local'));
    await writeFile(join(dir, 'key_value_stores', 'from-local', 'INPUT.json'), '{"x": 1, /* note */}');

    const here = ours.keyValueStore('from-local');
    await expectSamples(here);
    expect((await here.getRecord('INPUT'))?.value).toEqual({ x: 1 });
    expect((await here.listKeys()).items.map((i) => i.key)).toEqual([
      'INPUT',
      'OUTPUT',
      'blob',
      'note',
      'page',
      'shot',
    ]);

    const { id } = await ours.keyValueStores().getOrCreate('from-us');
    await writeSamples(ours.keyValueStore(id));
    await expectSamples(local.keyValueStore('from-us'));
  });
});

describe('Crawlee 3.x KeyValueStore over this client', () => {
  it('setValue, getValue, forEachKey, keys and entries work', async () => {
    const config = new Configuration({
      storageClient: createFsClient({ storageDir: dir }),
      purgeOnStart: false,
    });
    const store = await CrawleeKeyValueStore.open('crawlee', { config });
    await store.setValue('STATE', { page: 3 });
    await store.setValue('html', '<p>x</p>', { contentType: 'text/html' });
    expect(await store.getValue('STATE')).toEqual({ page: 3 });
    expect(await store.getValue('missing', 'fallback')).toBe('fallback');
    const seen: string[] = [];
    await store.forEachKey(async (key) => {
      seen.push(key);
    });
    expect(seen).toEqual(['STATE', 'html']);
    const keys: string[] = [];
    for await (const key of store.keys()) keys.push(key);
    expect(keys).toEqual(['STATE', 'html']);
    const entries: [string, unknown][] = [];
    for await (const entry of store.entries()) entries.push(entry);
    expect(entries).toEqual([
      ['STATE', { page: 3 }],
      ['html', '<p>x</p>'],
    ]);
    await store.setValue('STATE', null);
    expect(await store.recordExists('STATE')).toBe(false);
  });
});
