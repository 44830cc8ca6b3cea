/** What datasets look like on disk: the layout @crawlee/memory-storage and @apify/storage-local read. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

const readJsonFile = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

describe('dataset layout on disk', () => {
  it('stores one item per file, numbered from 1 with 9 digits, tab-indented like memory-storage', async () => {
    await client.datasets().getOrCreate('default');
    await client.dataset('default').pushItems([{ a: 1 }, { b: { c: [1, 2] } }]);
    await client.dataset('default').pushItems({ '#h': true });
    const folder = join(dir, 'datasets', 'default');
    expect((await readdir(folder)).sort()).toEqual([
      '000000001.json',
      '000000002.json',
      '000000003.json',
      '__metadata__.json',
    ]);
    expect(await readFile(join(folder, '000000001.json'), 'utf8')).toBe('{\n\t"a": 1\n}');
    expect(await readJsonFile(join(folder, '000000002.json'))).toEqual({ b: { c: [1, 2] } });
  });

  it('keeps the metadata memory-storage writes, plus counters, and keeps it true after each push', async () => {
    const created = await client.datasets().getOrCreate('default');
    await client.dataset('default').pushItems([{ a: 1, '#x': 1 }, { '#only': 1 }]);
    await client.teardown(); // the metadata is written when the lock is let go
    const meta = await readJsonFile(join(dir, 'datasets', 'default', '__metadata__.json'));
    expect(meta).toMatchObject({
      id: created.id,
      name: 'default',
      itemCount: 2,
      cleanItemCount: 1,
      fields: ['a', '#x', '#only'],
      stats: { writeCount: 2 },
    });
    for (const key of ['createdAt', 'modifiedAt', 'accessedAt']) {
      expect(new Date(meta[key]).toISOString()).toBe(meta[key]);
    }
    const bytes = (await readFile(join(dir, 'datasets', 'default', '000000001.json'))).length;
    expect(meta.stats.storageBytes).toBeGreaterThan(bytes);
  });

  it('puts an unnamed dataset under its id, and moves the folder on rename', async () => {
    const { id } = await client.datasets().getOrCreate();
    await client.dataset(id).pushItems({ a: 1 });
    expect(await readdir(join(dir, 'datasets'))).toContain(id);
    await client.dataset(id).update({ name: 'named-now' });
    const folders = await readdir(join(dir, 'datasets'));
    expect(folders).toContain('named-now');
    expect(folders).not.toContain(id);
    expect(await readJsonFile(join(dir, 'datasets', 'named-now', '000000001.json'))).toEqual({ a: 1 });
    expect((await readJsonFile(join(dir, 'datasets', 'named-now', '__metadata__.json'))).name).toBe(
      'named-now',
    );
  });

  it('leaves no temp files behind and writes nothing for a refused push', async () => {
    await client.datasets().getOrCreate('clean');
    await client.dataset('clean').pushItems(Array.from({ length: 50 }, (_, i) => ({ i })));
    await expect(client.dataset('clean').pushItems([{ ok: 1 }, 'bad' as never])).rejects.toMatchObject({
      code: 'STORAGE_INVALID_VALUE',
    });
    const names = await readdir(join(dir, 'datasets', 'clean'));
    expect(names.filter((name) => name.startsWith('.'))).toEqual([]);
    expect(names).toHaveLength(51);
  });
});
