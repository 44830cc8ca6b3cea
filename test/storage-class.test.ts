import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFsClient, parseStorageType, Storage } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function seeded(): Promise<{ root: string; unnamedId: string }> {
  const { dir: root, cleanup } = await tempDir('actor-storage-class-');
  cleanups.push(cleanup);
  const client = createFsClient({ storageDir: root });
  const products = await client.datasets().getOrCreate('products');
  await client.dataset(products.id).pushItems([{ a: 1 }, { a: 2 }]);
  const unnamed = await client.datasets().getOrCreate();
  const kvs = await client.keyValueStores().getOrCreate('default');
  await client.keyValueStore(kvs.id).setRecord({ key: 'INPUT', value: { x: 1 } });
  await client.keyValueStore(kvs.id).setRecord({ key: 'OUT', value: 'y' });
  const queue = await client.requestQueues().getOrCreate('default');
  await client
    .requestQueue(queue.id)
    .addRequest({ url: 'https://example.com', uniqueKey: 'https://example.com' });
  await client.teardown();
  return { root, unnamedId: unnamed.id };
}

describe('parseStorageType', () => {
  it('reads the names users write and refuses others with a code', () => {
    for (const t of ['dataset', 'datasets', 'Dataset']) expect(parseStorageType(t)).toBe('dataset');
    for (const t of ['kvs', 'key-value-store', 'key-value-stores', 'keyValueStore']) {
      expect(parseStorageType(t)).toBe('keyValueStore');
    }
    for (const t of ['queue', 'queues', 'request-queue', 'request-queues', 'requestQueue']) {
      expect(parseStorageType(t)).toBe('requestQueue');
    }
    expect(() => parseStorageType('table')).toThrow(
      expect.objectContaining({ code: 'STORAGE_INVALID_OPTION' }),
    );
    expect(() => parseStorageType(undefined)).toThrow(
      expect.objectContaining({ code: 'STORAGE_INVALID_OPTION' }),
    );
  });
});

describe('Storage', () => {
  it('opens by id or name without creating; a missing one is STORAGE_NOT_FOUND', async () => {
    const { root, unnamedId } = await seeded();
    const byName = await Storage.open('dataset', 'products', { storageDir: root });
    const byId = await Storage.open('datasets', byName.id, { storageDir: root });
    expect(byId.name).toBe('products');
    expect((await Storage.open('dataset', unnamedId, { storageDir: root })).name).toBeUndefined();
    expect(await Storage.find('kvs', 'missing', { storageDir: root })).toBeUndefined();
    await expect(Storage.open('queue', 'missing', { storageDir: root })).rejects.toMatchObject({
      code: 'STORAGE_NOT_FOUND',
    });
    expect(existsSync(join(root, 'request_queues', 'missing'))).toBe(false);
    await expect(Storage.open('dataset', '../x', { storageDir: root })).rejects.toMatchObject({
      code: 'STORAGE_INVALID_NAME',
    });
    await expect(Storage.list({ storageDir: root, colour: 'red' } as never)).rejects.toMatchObject({
      code: 'STORAGE_INVALID_OPTION',
    });
  });

  it('lists with counts and sizes; unnamed only when asked; folders written by peers included', async () => {
    const { root, unnamedId } = await seeded();
    const legacy = join(root, 'datasets', 'legacy');
    await mkdir(legacy, { recursive: true });
    await writeFile(join(legacy, '000000001.json'), '{"old":true}');
    const named = await Storage.list({ storageDir: root });
    expect(named.map((s) => `${s.type}:${s.name}`)).toEqual([
      'dataset:products',
      'dataset:legacy',
      'keyValueStore:default',
      'requestQueue:default',
    ]);
    expect(named.find((s) => s.name === 'legacy')?.counts).toEqual({ items: 1, cleanItems: 1 });
    expect(named.find((s) => s.type === 'keyValueStore')?.counts).toEqual({ records: 2 });
    expect(named.find((s) => s.type === 'requestQueue')?.counts).toEqual({
      total: 1,
      handled: 0,
      pending: 1,
    });
    expect(named.every((s) => s.bytes > 0 && s.expiresAt === undefined)).toBe(true);
    const all = await Storage.list({ storageDir: root, type: 'dataset', unnamed: true });
    const unnamed = all.find((s) => s.id === unnamedId);
    expect(unnamed?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
  });

  it('renames (id kept), unnames with null, drops; a dropped storage is gone for getInfo and drop', async () => {
    const { root } = await seeded();
    const storage = await Storage.open('dataset', 'products', { storageDir: root });
    const renamed = await storage.rename('catalogue');
    expect(renamed).toMatchObject({ id: storage.id, name: 'catalogue', counts: { items: 2 } });
    expect(storage.name).toBe('catalogue');
    const unnamed = await storage.rename(null);
    expect(unnamed.name).toBeUndefined();
    expect(unnamed.dir).toBe(join(root, 'datasets', storage.id));
    await expect(storage.rename('Bad Name')).rejects.toMatchObject({ code: 'STORAGE_INVALID_NAME' });
    await storage.drop();
    expect(existsSync(join(root, 'datasets', storage.id))).toBe(false);
    await expect(storage.getInfo()).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND' });
    await expect(storage.drop()).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND' });
  });

  it('purge empties the default storages, keeps INPUT, and reports each step', async () => {
    const { root } = await seeded();
    const steps: string[] = [];
    const result = await Storage.purge({ storageDir: root, onProgress: (d, t) => steps.push(`${d}/${t}`) });
    expect(result).toEqual({ datasetItems: 0, requests: 1, records: 1 });
    expect(steps).toEqual(['1/3', '2/3', '3/3']);
    const kvs = await Storage.open('kvs', 'default', { storageDir: root });
    expect((await kvs.getInfo()).counts).toEqual({ records: 1 });
    expect(await Storage.find('queue', 'default', { storageDir: root })).toBeUndefined();
    expect((await Storage.open('dataset', 'products', { storageDir: root })).name).toBe('products');
  });
});
