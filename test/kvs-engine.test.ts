/**
 * Key-value store engine behaviour that only the fs client has: option checks, streaming in and
 * out, the cached key index on a 10,000-key store, records of other layouts, iteration, a store
 * deleted and created again under another client.
 */
import { ReadStream } from 'node:fs';
import { readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueStoreClient } from '../src/client/types.js';
import { type FsKeyValueStoreClient, peekRecordIndex } from '../src/fs/key-value-store/index.js';
import { createFsClient, type FsClient, isStorageError } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;
let client: FsClient;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  client = createFsClient({ storageDir: dir });
});
afterEach(async () => cleanup());

async function open(name = 'default') {
  const { id } = await client.keyValueStores().getOrCreate(name);
  return {
    id,
    kvs: client.keyValueStore(id) as FsKeyValueStoreClient,
    folder: join(dir, 'key_value_stores', name),
  };
}

async function codeOf(action: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (err) {
    return isStorageError(err) ? err.code : `not a StorageError: ${String(err)}`;
  }
  return undefined;
}

describe('checks at the door', () => {
  it('refuses bad listKeys and getRecord options; lowers a limit above 1000', async () => {
    const { kvs } = await open();
    expect(await codeOf(kvs.listKeys({ limit: 0 }))).toBe('STORAGE_INVALID_OPTION');
    expect(await codeOf(kvs.listKeys({ limit: 1.5 }))).toBe('STORAGE_INVALID_OPTION');
    expect(await codeOf(kvs.listKeys({ bogus: 1 } as never))).toBe('STORAGE_INVALID_OPTION');
    expect(await codeOf(kvs.listKeys({ prefix: 3 } as never))).toBe('STORAGE_INVALID_OPTION');
    expect((await kvs.listKeys({ limit: 5000 })).limit).toBe(1000);
    expect(await codeOf(kvs.getRecord('a', { buffer: 'yes' } as never))).toBe('STORAGE_INVALID_OPTION');
    expect(await codeOf(kvs.update({ name: 'x', other: 1 } as never))).toBe('STORAGE_INVALID_OPTION');
  });

  it('refuses values that do not fit their content type, and bad content types', async () => {
    const { kvs } = await open();
    const invalid = [
      { key: 'a', value: { x: 1 }, contentType: 'text/plain' },
      { key: 'a', value: 12, contentType: 'image/png' },
      { key: 'a', value: '{"a": ', contentType: 'application/json' },
      { key: 'a', value: Buffer.from('nope'), contentType: 'application/json; charset=utf-8' },
      { key: 'a', value: 'x', contentType: 'not a type' },
      { key: 'a', value: 'x', contentType: 'text/plain\r\nX-Evil: 1' },
      { key: 'a', value: undefined },
      { key: 'a', value: Symbol('s') },
    ];
    for (const record of invalid) expect(await codeOf(kvs.setRecord(record))).toBe('STORAGE_INVALID_VALUE');
    expect(await codeOf(kvs.setRecord({ key: 'a' } as never))).toBe('STORAGE_INVALID_VALUE');
    expect((await kvs.listKeys()).count).toBe(0);
    await kvs.setRecord({ key: 'ok', value: "{ relaxed: 'json5', }", contentType: 'application/json' });
    expect((await kvs.getRecord('ok'))?.value).toEqual({ relaxed: 'json5' });
  });

  it('operations on a missing store are STORAGE_NOT_FOUND; get() and delete() are quiet', async () => {
    const kvs = client.keyValueStore('nowhere');
    expect(await kvs.get()).toBeUndefined();
    await kvs.delete();
    // One at a time: a call started before the previous one is awaited would reject unobserved.
    const ops = [
      () => kvs.getRecord('a'),
      () => kvs.recordExists('a'),
      () => kvs.listKeys(),
      () => kvs.deleteRecord('a'),
    ];
    for (const op of ops) expect(await codeOf(op())).toBe('STORAGE_NOT_FOUND');
  });
});

describe('streams', () => {
  it('writes a stream to disk as it arrives, never holding it whole', async () => {
    const { kvs, folder } = await open();
    const chunk = Buffer.alloc(256 * 1024, 7);
    let sent = 0;
    let tempSizeMidway = -1;
    const source = new Readable({
      async read() {
        sent += 1;
        if (sent === 12) {
          const temp = (await readdir(folder)).find((f) => f.startsWith('.tmp-big'));
          tempSizeMidway = temp ? (await stat(join(folder, temp))).size : 0;
        }
        this.push(sent <= 16 ? chunk : null);
      },
    });
    await kvs.setRecord({ key: 'big', value: source });
    expect(tempSizeMidway).toBeGreaterThan(chunk.length);
    expect((await stat(join(folder, 'big.bin'))).size).toBe(16 * chunk.length);
    expect((await kvs.listKeys()).items).toEqual([{ key: 'big', size: 16 * chunk.length }]);
  });

  it('returns an fs ReadStream for stream: true; a failing source writes nothing', async () => {
    const { kvs, folder } = await open();
    await kvs.setRecord({ key: 'file', value: 'streamed text' });
    const record = await kvs.getRecord('file', { stream: true });
    expect(record?.value).toBeInstanceOf(ReadStream);
    expect(record?.contentType).toBe('text/plain; charset=utf-8');
    let text = '';
    for await (const part of (record?.value ?? []) as ReadStream) text += part;
    expect(text).toBe('streamed text');
    const failing = new Readable({
      read() {
        this.destroy(new Error('source broke'));
      },
    });
    expect(await codeOf(kvs.setRecord({ key: 'broken', value: failing }))).toBe('STORAGE_IO');
    expect((await readdir(folder)).filter((f) => f.includes('broken'))).toEqual([]);
  });
});

describe('the key index', () => {
  it('serves a 10,000-key store without listing the folder on every call', async () => {
    const { id, kvs, folder } = await open('big');
    const keys = Array.from({ length: 10_000 }, (_, i) => `key-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 500) {
      await Promise.all(
        keys.slice(i, i + 500).map(async (key, j) => {
          await writeFile(join(folder, `${key}.json`), JSON.stringify({ n: i + j }));
          if ((i + j) % 2 === 0) {
            const sidecar = {
              key,
              contentType: 'application/json; charset=utf-8',
              extension: 'json',
              size: 9,
            };
            await writeFile(join(folder, `${key}.__metadata__.json`), JSON.stringify(sidecar));
          }
        }),
      );
    }
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(folder, hourAgo, hourAgo);
    expect((await kvs.listKeys({ limit: 3 })).items.map((i) => i.key)).toEqual(keys.slice(0, 3));
    const index = peekRecordIndex(dir, id);
    const listings = index?.refreshCount ?? -1;
    expect(listings).toBeGreaterThan(0);
    for (let i = 0; i < 40; i++) {
      const key = keys[(i * 997) % keys.length] as string;
      expect(await kvs.recordExists(key)).toBe(true);
      expect((await kvs.getRecord(key))?.value).toEqual({ n: (i * 997) % keys.length });
      const page = await kvs.listKeys({ exclusiveStartKey: key, limit: 10 });
      expect(page.items[0]?.key).toBe(keys[((i * 997) % keys.length) + 1]);
    }
    expect(index?.refreshCount).toBe(listings);
    // Another process adds a record: the folder's mtime moves, and the next call sees it.
    await writeFile(join(folder, 'added.txt'), 'new');
    const later = new Date(Date.now() - 1_800_000);
    await utimes(folder, later, later);
    expect(await kvs.recordExists('added')).toBe(true);
    expect(index?.refreshCount).toBe(listings + 1);
    let total = 0;
    for await (const _item of kvs.listKeys()) total += 1;
    expect(total).toBe(10_001);
  });
});

describe('records in other layouts', () => {
  it('moves a record stored under its bare key out of the way of another key', async () => {
    const { kvs, folder } = await open();
    // @crawlee/memory-storage stores key "photo.png" of type image/png as the file "photo.png".
    await writeFile(join(folder, 'photo.png'), 'bare');
    const sidecar = { key: 'photo.png', contentType: 'image/png', extension: 'png' };
    await writeFile(join(folder, 'photo.png.__metadata__.json'), JSON.stringify(sidecar));
    expect(String((await kvs.getRecord('photo.png'))?.value)).toBe('bare');
    await kvs.setRecord({ key: 'photo', value: Buffer.from('ours'), contentType: 'image/png' });
    expect(String((await kvs.getRecord('photo'))?.value)).toBe('ours');
    expect(String((await kvs.getRecord('photo.png'))?.value)).toBe('bare');
    expect((await kvs.listKeys()).items.map((i) => i.key)).toEqual(['photo', 'photo.png']);
  });
});

describe('iteration', () => {
  it('listKeys, keys, values and entries iterate (limit caps the total, as in apify-client)', async () => {
    const { kvs } = await open();
    for (let i = 0; i < 5; i++) await kvs.setRecord({ key: `k${i}`, value: i });
    const seen: string[] = [];
    for await (const item of kvs.listKeys({ limit: 2 })) seen.push(item.key);
    expect(seen).toEqual(['k0', 'k1']);
    const all: string[] = [];
    for await (const item of kvs.listKeys()) all.push(item.key);
    expect(all).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect((await kvs.keys({ limit: 2 })).items.length).toBe(2);
    const names: string[] = [];
    for await (const key of kvs.keys({ exclusiveStartKey: 'k2' })) names.push(key);
    expect(names).toEqual(['k3', 'k4']);
    expect(await kvs.values({ limit: 3 })).toEqual([0, 1, 2]);
    const entries: [string, unknown][] = [];
    for await (const entry of kvs.entries({ prefix: 'k4' })) entries.push(entry);
    expect(entries).toEqual([['k4', 4]]);
  });
});

describe('a store replaced under a client', () => {
  it('a client by name follows the new store; a client by the old id finds nothing', async () => {
    const { id: oldId } = await open('shared');
    const byName: KeyValueStoreClient = client.keyValueStore('shared');
    const byId = client.keyValueStore(oldId);
    await byName.setRecord({ key: 'a', value: 1 });
    const other = createFsClient({ storageDir: dir });
    await other.keyValueStore('shared').delete();
    const { id: newId } = await other.keyValueStores().getOrCreate('shared');
    expect(newId).not.toBe(oldId);
    await byName.setRecord({ key: 'b', value: 2 });
    expect((await other.keyValueStore(newId).listKeys()).items.map((i) => i.key)).toEqual(['b']);
    expect(await codeOf(byId.setRecord({ key: 'c', value: 3 }))).toBe('STORAGE_NOT_FOUND');
  });

  it('get().modifiedAt moves with record writes', async () => {
    const { kvs, folder } = await open();
    const past = new Date(Date.now() - 60_000);
    await utimes(folder, past, past);
    const before = await kvs.get();
    await kvs.setRecord({ key: 'x', value: 1 });
    const after = await kvs.get();
    expect(after?.modifiedAt.getTime()).toBeGreaterThan(past.getTime());
    expect(after?.modifiedAt.getTime()).toBeGreaterThanOrEqual(before?.modifiedAt.getTime() ?? Infinity);
  });
});
