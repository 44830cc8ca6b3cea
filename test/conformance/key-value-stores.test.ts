/**
 * Key-value store behaviour of the client interface, registered once and run against every client
 * of the harness. Asserts codes and data, never messages; nothing here looks at the disk.
 */
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueStoreClient, StorageClient } from '../../src/client/types.js';
import { ERROR_TABLE, type ErrorCode, isStorageError } from '../../src/errors.js';
import { type ClientUnderTest, factories } from './harness.js';

/**
 * Passes when `action` fails with `code`: a StorageError with that code, over HTTP the status and
 * type the code maps to, or (with `clientSide`) a refusal by apify-client before anything is sent.
 */
async function expectCode(
  action: Promise<unknown> | (() => unknown),
  code: ErrorCode,
  options: { clientSide?: boolean } = {},
): Promise<void> {
  let error: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (err) {
    error = err;
  }
  expect(error, `expected an error with code ${code}`).toBeDefined();
  if (isStorageError(error)) {
    expect(error.code).toBe(code);
    return;
  }
  const http = error as { statusCode?: number; type?: string };
  if (http.statusCode === undefined && options.clientSide) return;
  expect({ status: http.statusCode, type: http.type }).toEqual({
    status: ERROR_TABLE[code].status,
    type: ERROR_TABLE[code].type,
  });
}

async function readAll(stream: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Every key of a store, page after page, with pages of `limit`. */
async function allKeys(store: KeyValueStoreClient, limit: number, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  let exclusiveStartKey: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await store.listKeys({ limit, exclusiveStartKey, prefix });
    keys.push(...page.items.map((i) => i.key));
    if (!page.isTruncated) return keys;
    exclusiveStartKey = page.nextExclusiveStartKey;
  }
  throw new Error('listKeys never ended');
}

describe.each(factories)('key-value stores over $name', (factory) => {
  let t: ClientUnderTest;
  let client: StorageClient;

  beforeEach(async () => {
    t = await factory.create();
    client = t.client;
  });
  afterEach(async () => {
    await t.close();
  });

  async function store(name = 'records'): Promise<KeyValueStoreClient> {
    const { id } = await client.keyValueStores().getOrCreate(name);
    return client.keyValueStore(id);
  }

  describe('collection', () => {
    it('getOrCreate returns the same named store twice and a new unnamed one each time', async () => {
      const a = await client.keyValueStores().getOrCreate('shots');
      const b = await client.keyValueStores().getOrCreate('shots');
      expect(b.id).toBe(a.id);
      expect(a.name).toBe('shots');
      expect(a.id).toMatch(/^[a-zA-Z0-9]{17}$/);
      expect(a.createdAt).toBeInstanceOf(Date);
      const u1 = await client.keyValueStores().getOrCreate();
      const u2 = await client.keyValueStores().getOrCreate();
      expect(u1.id).not.toBe(u2.id);
      expect(u1.name ?? undefined).toBeUndefined();
    });

    it('the default store is named "default"', async () => {
      const info = await client.keyValueStores().getOrCreate('default');
      expect(info.name).toBe('default');
      expect((await client.keyValueStore('default').get())?.id).toBe(info.id);
    });

    it('refuses names that break the platform rule', async () => {
      for (const name of ['-bad', 'bad-', 'has space', 'x'.repeat(64), 'a_b']) {
        await expectCode(client.keyValueStores().getOrCreate(name), 'STORAGE_INVALID_NAME');
      }
    });

    it('lists named stores, unnamed ones on request, with offset, limit and desc', async () => {
      for (const name of ['s1', 's2', 's3']) await client.keyValueStores().getOrCreate(name);
      await client.keyValueStores().getOrCreate();
      const named = await client.keyValueStores().list();
      expect(named.items.map((s) => s.name)).toEqual(['s1', 's2', 's3']);
      expect(named.total).toBe(3);
      const all = await client.keyValueStores().list({ unnamed: true });
      expect(all.total).toBe(4);
      const page = await client.keyValueStores().list({ offset: 1, limit: 1, desc: true });
      expect(page).toMatchObject({ total: 3, offset: 1, limit: 1, count: 1 });
      expect(page.items[0]?.name).toBe('s2');
    });
  });

  describe('store', () => {
    it('get() is undefined for a missing store', async () => {
      expect(await client.keyValueStore('no-such-store').get()).toBeUndefined();
    });

    it('update() renames; the old name is gone, records stay', async () => {
      const kvs = await store('old-name');
      await kvs.setRecord({ key: 'a', value: { x: 1 } });
      const renamed = await kvs.update({ name: 'new-name' });
      expect(renamed.name).toBe('new-name');
      expect(await client.keyValueStore('old-name').get()).toBeUndefined();
      const again = client.keyValueStore('new-name');
      expect((await again.getRecord('a'))?.value).toEqual({ x: 1 });
    });

    it('update() refuses a taken or invalid name and changes nothing', async () => {
      await store('taken');
      const kvs = await store('mine');
      await expectCode(kvs.update({ name: 'taken' }), 'STORAGE_NAME_TAKEN');
      await expectCode(kvs.update({ name: 'not valid!' }), 'STORAGE_INVALID_NAME');
      expect((await kvs.get())?.name).toBe('mine');
      await expectCode(client.keyValueStore('missing').update({ name: 'x' }), 'STORAGE_NOT_FOUND');
    });

    it('delete() removes the store with its records; deleting again is fine', async () => {
      const kvs = await store('doomed');
      await kvs.setRecord({ key: 'k', value: 'v' });
      await kvs.delete();
      expect(await kvs.get()).toBeUndefined();
      await kvs.delete();
      await expectCode(client.keyValueStore('doomed').setRecord({ key: 'k', value: 1 }), 'STORAGE_NOT_FOUND');
      await expectCode(client.keyValueStore('doomed').listKeys(), 'STORAGE_NOT_FOUND');
    });
  });

  describe('records', () => {
    it('stores objects as JSON, strings as text, bytes as octet-stream', async () => {
      const kvs = await store();
      await kvs.setRecord({ key: 'obj', value: { a: [1, 'two', null], b: { c: true } } });
      await kvs.setRecord({ key: 'arr', value: [1, 2] });
      await kvs.setRecord({ key: 'num', value: 42 });
      await kvs.setRecord({ key: 'text', value: 'héllo' });
      await kvs.setRecord({ key: 'bytes', value: Buffer.from([0, 1, 254, 255]) });
      expect(await kvs.getRecord('obj')).toEqual({
        key: 'obj',
        value: { a: [1, 'two', null], b: { c: true } },
        contentType: 'application/json; charset=utf-8',
      });
      expect((await kvs.getRecord('arr'))?.value).toEqual([1, 2]);
      expect((await kvs.getRecord('num'))?.value).toBe(42);
      expect(await kvs.getRecord('text')).toEqual({
        key: 'text',
        value: 'héllo',
        contentType: 'text/plain; charset=utf-8',
      });
      const bytes = await kvs.getRecord('bytes');
      expect(bytes?.contentType).toBe('application/octet-stream');
      expect(Buffer.from(bytes?.value as Buffer)).toEqual(Buffer.from([0, 1, 254, 255]));
    });

    it('stores a Readable stream as bytes', async () => {
      const kvs = await store();
      const parts = [Buffer.alloc(70_000, 'a'), Buffer.alloc(50_000, 'b')];
      await kvs.setRecord({ key: 'streamed', value: Readable.from(parts) });
      const record = await kvs.getRecord('streamed', { buffer: true });
      expect(record?.contentType).toBe('application/octet-stream');
      expect(Buffer.from(record?.value as Buffer).equals(Buffer.concat(parts))).toBe(true);
    });

    it('keeps an explicit content type exactly as given', async () => {
      const kvs = await store();
      await kvs.setRecord({ key: 'page', value: '<p>hi</p>', contentType: 'text/html; charset=utf-8' });
      await kvs.setRecord({ key: 'shot', value: Buffer.from('PNGDATA'), contentType: 'image/png' });
      await kvs.setRecord({ key: 'raw-json', value: '{"a": 1}', contentType: 'application/json' });
      expect(await kvs.getRecord('page')).toMatchObject({
        value: '<p>hi</p>',
        contentType: 'text/html; charset=utf-8',
      });
      const shot = await kvs.getRecord('shot');
      expect(shot?.contentType).toBe('image/png');
      expect(Buffer.from(shot?.value as Buffer).toString()).toBe('PNGDATA');
      expect(await kvs.getRecord('raw-json')).toMatchObject({
        value: { a: 1 },
        contentType: 'application/json',
      });
      const asBuffer = await kvs.getRecord('raw-json', { buffer: true });
      expect(Buffer.from(asBuffer?.value as Buffer).toString()).toBe('{"a": 1}');
    });

    it('getRecord with buffer returns a Buffer and with stream a readable stream', async () => {
      const kvs = await store();
      await kvs.setRecord({ key: 'j', value: { deep: { n: 1 } } });
      const buf = await kvs.getRecord('j', { buffer: true });
      expect(Buffer.isBuffer(buf?.value)).toBe(true);
      expect(JSON.parse(String(buf?.value))).toEqual({ deep: { n: 1 } });
      const streamed = await kvs.getRecord('j', { stream: true });
      expect(typeof (streamed?.value as Readable | undefined)?.pipe).toBe('function');
      expect(JSON.parse((await readAll(streamed?.value)).toString())).toEqual({ deep: { n: 1 } });
    });

    it('overwriting with another content type returns the new value and type', async () => {
      const kvs = await store();
      await kvs.setRecord({ key: 'k', value: { v: 1 } });
      await kvs.setRecord({ key: 'k', value: Buffer.from('img'), contentType: 'image/png' });
      const record = await kvs.getRecord('k');
      expect(record?.contentType).toBe('image/png');
      expect(Buffer.from(record?.value as Buffer).toString()).toBe('img');
      await kvs.setRecord({ key: 'k', value: 'text now' });
      expect(await kvs.getRecord('k')).toMatchObject({
        value: 'text now',
        contentType: 'text/plain; charset=utf-8',
      });
      expect((await kvs.listKeys()).items.map((i) => i.key)).toEqual(['k']);
    });

    it('a missing record is undefined; recordExists tells', async () => {
      const kvs = await store();
      expect(await kvs.getRecord('nope')).toBeUndefined();
      expect(await kvs.recordExists('nope')).toBe(false);
      await kvs.setRecord({ key: 'yes', value: 1 });
      expect(await kvs.recordExists('yes')).toBe(true);
    });

    it('deleteRecord removes it; deleting a missing record is fine', async () => {
      const kvs = await store();
      await kvs.setRecord({ key: 'gone', value: 'x' });
      await kvs.deleteRecord('gone');
      expect(await kvs.getRecord('gone')).toBeUndefined();
      expect(await kvs.recordExists('gone')).toBe(false);
      await kvs.deleteRecord('gone');
      expect((await kvs.listKeys()).count).toBe(0);
    });

    it('accepts every key character of the platform rule; keys too long for a file name are refused', async () => {
      const kvs = await store();
      const keys = ["a!-_.'()Z9", 'x'.repeat(237), 'INPUT'];
      for (const key of keys) await kvs.setRecord({ key, value: key.length });
      for (const key of keys) expect((await kvs.getRecord(key))?.value).toBe(key.length);
      await expectCode(kvs.setRecord({ key: 'y'.repeat(238), value: 1 }), 'STORAGE_INVALID_KEY');
      expect(await kvs.getRecord('y'.repeat(256))).toBeUndefined();
      expect((await kvs.listKeys()).count).toBe(3);
    });

    it('refuses invalid keys with STORAGE_INVALID_KEY and writes nothing', async () => {
      const kvs = await store();
      for (const key of ['has space', 'x'.repeat(257), 'star*', 'ü']) {
        await expectCode(kvs.setRecord({ key, value: 1 }), 'STORAGE_INVALID_KEY');
        await expectCode(kvs.deleteRecord(key), 'STORAGE_INVALID_KEY');
      }
      expect((await kvs.listKeys()).count).toBe(0);
    });

    it('refuses values that cannot be serialised and writes nothing', async () => {
      const kvs = await store();
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expectCode(() => kvs.setRecord({ key: 'big', value: { n: 10n } }), 'STORAGE_INVALID_VALUE', {
        clientSide: true,
      });
      await expectCode(() => kvs.setRecord({ key: 'circ', value: circular }), 'STORAGE_INVALID_VALUE', {
        clientSide: true,
      });
      await expectCode(() => kvs.setRecord({ key: 'fn', value: () => 1 }), 'STORAGE_INVALID_VALUE', {
        clientSide: true,
      });
      expect((await kvs.listKeys()).count).toBe(0);
    });

    it('writing to a missing store is STORAGE_NOT_FOUND', async () => {
      await expectCode(
        client.keyValueStore('no-such-store').setRecord({ key: 'a', value: 1 }),
        'STORAGE_NOT_FOUND',
      );
      await expectCode(client.keyValueStore('no-such-store').deleteRecord('a'), 'STORAGE_NOT_FOUND');
    });
  });

  describe('listKeys', () => {
    it('lists keys in UTF-8 binary order with sizes', async () => {
      const kvs = await store();
      const keys = ['b', 'B', 'a', '_x', '(p)', 'a.b', 'a-b', 'Z', '9', 'ab'];
      for (const key of keys) await kvs.setRecord({ key, value: `v-${key}` });
      const page = await kvs.listKeys();
      const expected = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(page.items.map((i) => i.key)).toEqual(expected);
      expect(page.items.find((i) => i.key === 'ab')?.size).toBe(Buffer.byteLength('v-ab'));
      expect(page).toMatchObject({ count: keys.length, limit: 1000, isTruncated: false });
      expect(page.nextExclusiveStartKey ?? undefined).toBeUndefined();
    });

    it('pages with limit and exclusiveStartKey (excluded); the last page has no next key', async () => {
      const kvs = await store();
      for (let i = 0; i < 7; i++) await kvs.setRecord({ key: `k${i}`, value: i });
      const first = await kvs.listKeys({ limit: 3 });
      expect(first.items.map((i) => i.key)).toEqual(['k0', 'k1', 'k2']);
      expect(first).toMatchObject({ count: 3, limit: 3, isTruncated: true, nextExclusiveStartKey: 'k2' });
      const second = await kvs.listKeys({ limit: 3, exclusiveStartKey: 'k2' });
      expect(second.items.map((i) => i.key)).toEqual(['k3', 'k4', 'k5']);
      expect(second.exclusiveStartKey).toBe('k2');
      const last = await kvs.listKeys({ limit: 3, exclusiveStartKey: 'k5' });
      expect(last.items.map((i) => i.key)).toEqual(['k6']);
      expect(last.isTruncated).toBe(false);
      expect(last.nextExclusiveStartKey ?? undefined).toBeUndefined();
      const exact = await kvs.listKeys({ limit: 1, exclusiveStartKey: 'k5' });
      expect(exact.isTruncated).toBe(false);
      expect(await allKeys(kvs, 2)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    });

    it('an exclusiveStartKey that is not a key starts after where it would sort', async () => {
      const kvs = await store();
      for (const key of ['a', 'c', 'e']) await kvs.setRecord({ key, value: 1 });
      expect((await kvs.listKeys({ exclusiveStartKey: 'b' })).items.map((i) => i.key)).toEqual(['c', 'e']);
    });

    it('filters by prefix, also across pages', async () => {
      const kvs = await store();
      for (const key of ['img-1', 'img-2', 'img-3', 'imh', 'im', 'page-1'])
        await kvs.setRecord({ key, value: 1 });
      const page = await kvs.listKeys({ prefix: 'img-' });
      expect(page.items.map((i) => i.key)).toEqual(['img-1', 'img-2', 'img-3']);
      expect(page.isTruncated).toBe(false);
      expect(await allKeys(kvs, 2, 'img-')).toEqual(['img-1', 'img-2', 'img-3']);
    });
  });
});
