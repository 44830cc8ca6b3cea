/**
 * Purging the default storages: the default dataset and request queue go, the default key-value
 * store keeps only INPUT records, named storages are never touched.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsClient, type FsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;
const savedEnv = { ...process.env };

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  process.env = { ...savedEnv };
  await cleanup();
});

const kvsFolder = (name: string) => join(dir, 'key_value_stores', name);
const filesIn = async (folder: string) => (await readdir(folder)).sort();

/** A run's worth of storages: default and named ones of every kind. */
async function seed(client: FsClient): Promise<void> {
  for (const name of ['default', 'products']) {
    const ds = await client.datasets().getOrCreate(name);
    await client.dataset(ds.id).pushItems([{ n: 1 }, { n: 2 }]);
    const rq = await client.requestQueues().getOrCreate(name);
    await client.requestQueue(rq.id).addRequest({ url: `https://example.com/${name}`, uniqueKey: name });
    const kv = await client.keyValueStores().getOrCreate(name);
    const store = client.keyValueStore(kv.id);
    await store.setRecord({ key: 'INPUT', value: { start: name } });
    await store.setRecord({ key: 'OUTPUT', value: { done: true } });
    await store.setRecord({ key: 'shot', value: Buffer.from('png'), contentType: 'image/png' });
  }
  await mkdir(join(kvsFolder('default'), '__corrupt__'));
  await writeFile(join(kvsFolder('default'), '__corrupt__', 'x.json.1'), 'bad');
}

describe('purgeDefaultStorages', () => {
  it('empties the default storages, keeps INPUT and every named storage', async () => {
    const client = createFsClient({ storageDir: dir });
    await seed(client);
    await client.purge();

    expect(await readdir(join(dir, 'datasets'))).toEqual(['products']);
    expect(await readdir(join(dir, 'request_queues'))).toEqual(['products']);
    expect(await filesIn(kvsFolder('default'))).toEqual([
      'INPUT.__metadata__.json',
      'INPUT.json',
      '__metadata__.json',
    ]);
    expect(await filesIn(kvsFolder('products'))).toEqual([
      'INPUT.__metadata__.json',
      'INPUT.json',
      'OUTPUT.__metadata__.json',
      'OUTPUT.json',
      '__metadata__.json',
      'shot.__metadata__.json',
      'shot.png',
    ]);

    const store = client.keyValueStore('default');
    expect((await store.getRecord('INPUT'))?.value).toEqual({ start: 'default' });
    expect(await store.getRecord('OUTPUT')).toBeUndefined();
    expect((await store.listKeys()).items.map((i) => i.key)).toEqual(['INPUT']);
    expect((await client.dataset('products').listItems()).items).toHaveLength(2);
    const ds = await client.datasets().getOrCreate('default');
    expect((await client.dataset(ds.id).listItems()).items).toEqual([]);
  });

  it.each(['INPUT.json', 'INPUT', 'INPUT.txt', 'INPUT.bin'])('keeps %s placed by hand', async (file) => {
    const client = createFsClient({ storageDir: dir });
    const { id } = await client.keyValueStores().getOrCreate('default');
    await client.keyValueStore(id).setRecord({ key: 'state', value: { page: 2 } });
    await writeFile(join(kvsFolder('default'), file), '{"by": "hand"}');
    await client.purge();
    expect(await filesIn(kvsFolder('default'))).toEqual([file, '__metadata__.json'].sort());
    expect(await client.keyValueStore(id).recordExists('INPUT')).toBe(true);
  });

  it('removes folders left by interrupted deletes, ours and memory-storage’s', async () => {
    const client = createFsClient({ storageDir: dir });
    await client.keyValueStores().getOrCreate('keep');
    for (const leftover of ['__CRAWLEE_TEMPORARY_0__', '__OLD_DEFAULT_1__', '.deleting-abc-1-2']) {
      await mkdir(join(dir, 'key_value_stores', leftover), { recursive: true });
    }
    await mkdir(join(dir, 'datasets', '__CRAWLEE_TEMPORARY_3__'), { recursive: true });
    await mkdir(join(dir, 'key_value_stores', '__CRAWLEE_MIGRATING_KEY_VALUE_STORE__'));
    await client.purge();
    expect(await readdir(join(dir, 'key_value_stores'))).toEqual([
      '__CRAWLEE_MIGRATING_KEY_VALUE_STORE__',
      'keep',
    ]);
    expect(await readdir(join(dir, 'datasets'))).toEqual([]);
  });

  it('does nothing on an empty storage folder', async () => {
    await createFsClient({ storageDir: dir }).purge();
    expect(existsSync(join(dir, 'datasets'))).toBe(false);
  });
});

describe('purge on start', () => {
  it('runs before the first operation with purgeOnStart, not without', async () => {
    await seed(createFsClient({ storageDir: dir }));
    const plain = createFsClient({ storageDir: dir });
    expect(await plain.keyValueStore('default').recordExists('OUTPUT')).toBe(true);
    const purging = createFsClient({ storageDir: dir, purgeOnStart: true });
    expect(await purging.keyValueStore('default').recordExists('OUTPUT')).toBe(false);
    expect(await purging.keyValueStore('default').recordExists('INPUT')).toBe(true);
    expect(await purging.dataset('default').get()).toBeUndefined();
    expect((await purging.keyValueStore('products').listKeys()).count).toBe(3);
  });

  it.each(['CRAWLEE_PURGE_ON_START', 'APIFY_PURGE_ON_START'])('is switched on by %s=1', async (name) => {
    await seed(createFsClient({ storageDir: dir }));
    process.env[name] = '1';
    const client = createFsClient({ storageDir: dir });
    expect(await client.keyValueStore('default').recordExists('shot')).toBe(false);
    expect(await client.keyValueStore('products').recordExists('shot')).toBe(true);
  });
});
