import { crc32, inflateRawSync } from 'node:zlib';
import { ApifyClient } from 'apify-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageClient } from '../src/client/types.js';
import { startTestServer, type TestServer } from './conformance/harness.js';
import { errorType, rawRequest } from './helpers/server-http.js';

let t: TestServer;
let auth: Record<string, string>;
let storeId: string;

beforeAll(async () => {
  t = await startTestServer();
  auth = { authorization: `Bearer ${t.token}` };
  storeId = (await t.client.keyValueStores().getOrCreate('records')).id;
});

afterAll(async () => {
  await t.close();
});

/** Through the project's client interface (which apify-client satisfies): values may be Buffers. */
const kvs = () => (t.client as StorageClient).keyValueStore(storeId);

describe('key-value store endpoints', () => {
  it('creates (201, then 200 for the name), lists, renames and deletes (204)', async () => {
    const created = await rawRequest(t.url, {
      method: 'POST',
      path: '/v2/key-value-stores?name=kv-a',
      headers: auth,
    });
    expect(created.status).toBe(201);
    const again = await rawRequest(t.url, {
      method: 'POST',
      path: '/v2/key-value-stores?name=kv-a',
      headers: auth,
    });
    expect(again.status).toBe(200);
    const id = (created.json as { data: { id: string } }).data.id;
    expect((await t.client.keyValueStores().list()).items.map((s) => s.name)).toContain('kv-a');
    expect((await t.client.keyValueStore(id).update({ name: 'kv-b' })).name).toBe('kv-b');
    const del = await rawRequest(t.url, {
      method: 'DELETE',
      path: `/v2/key-value-stores/${id}`,
      headers: auth,
    });
    expect(del.status).toBe(204);
    expect(await t.client.keyValueStore(id).get()).toBeUndefined();
  });

  it('stores an object as pretty JSON and returns it with the stored Content-Type', async () => {
    await kvs().setRecord({ key: 'INPUT', value: { hello: 'world', n: [1, 2] } });
    const record = await kvs().getRecord('INPUT');
    expect(record).toEqual({
      key: 'INPUT',
      value: { hello: 'world', n: [1, 2] },
      contentType: 'application/json; charset=utf-8',
    });
    const raw = await rawRequest(t.url, {
      path: `/v2/key-value-stores/${storeId}/records/INPUT`,
      headers: auth,
    });
    expect(raw.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(raw.body.toString()).toBe(JSON.stringify({ hello: 'world', n: [1, 2] }, null, 2));
  });

  it('keeps strings, buffers and explicit content types byte for byte', async () => {
    await kvs().setRecord({ key: 'note', value: 'plain text ✓' });
    expect(await kvs().getRecord('note')).toMatchObject({
      value: 'plain text ✓',
      contentType: 'text/plain; charset=utf-8',
    });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);
    await kvs().setRecord({ key: 'shot.png', value: png, contentType: 'image/png' });
    const back = await kvs().getRecord('shot.png', { buffer: true });
    expect(back?.contentType).toBe('image/png');
    expect(Buffer.compare(back?.value as Buffer, png)).toBe(0);
    const bin = Buffer.alloc(5000, 7);
    await kvs().setRecord({ key: 'blob', value: bin });
    const blob = await kvs().getRecord('blob');
    expect(blob?.contentType).toBe('application/octet-stream');
    expect(Buffer.compare(blob?.value as Buffer, bin)).toBe(0);
  });

  it('accepts a compressed body over 1 KiB from apify-client and a POST alias (201)', async () => {
    const big = { text: 'ü'.repeat(10_000) };
    await kvs().setRecord({ key: 'big', value: big });
    expect((await kvs().getRecord('big'))?.value).toEqual(big);
    const post = await rawRequest(t.url, {
      method: 'POST',
      path: `/v2/key-value-stores/${storeId}/records/posted`,
      headers: { ...auth, 'content-type': 'text/csv' },
      body: 'a,b\n1,2\n',
    });
    expect(post.status).toBe(201);
    expect(await kvs().getRecord('posted')).toMatchObject({ value: 'a,b\n1,2\n', contentType: 'text/csv' });
  });

  it('answers a missing record with 404 record-not-found (getRecord → undefined) and HEAD for recordExists', async () => {
    expect(await kvs().getRecord('missing')).toBeUndefined();
    const raw = await rawRequest(t.url, {
      path: `/v2/key-value-stores/${storeId}/records/missing`,
      headers: auth,
    });
    expect(raw.status).toBe(404);
    expect(errorType(raw)).toBe('record-not-found');
    expect(await kvs().recordExists('missing')).toBe(false);
    expect(await kvs().recordExists('INPUT')).toBe(true);
    const head = await rawRequest(t.url, {
      method: 'HEAD',
      path: `/v2/key-value-stores/${storeId}/records/INPUT`,
      headers: auth,
    });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('adds Content-Disposition for attachment', async () => {
    const raw = await rawRequest(t.url, {
      path: `/v2/key-value-stores/${storeId}/records/note?attachment=true`,
      headers: auth,
    });
    expect(raw.headers['content-disposition']).toBe('attachment; filename="note"');
  });

  it('deletes a record with 204, also when it is not there', async () => {
    await kvs().setRecord({ key: 'temp', value: 1 });
    await kvs().deleteRecord('temp');
    expect(await kvs().recordExists('temp')).toBe(false);
    const again = await rawRequest(t.url, {
      method: 'DELETE',
      path: `/v2/key-value-stores/${storeId}/records/temp`,
      headers: auth,
    });
    expect(again.status).toBe(204);
  });

  it('refuses an invalid key with 400 invalid-record-key', async () => {
    const res = await rawRequest(t.url, {
      method: 'PUT',
      path: `/v2/key-value-stores/${storeId}/records/bad%20key`,
      headers: auth,
      body: 'x',
    });
    expect(res.status).toBe(400);
    expect(errorType(res)).toBe('invalid-record-key');
  });
});

describe('key listing', () => {
  it('pages keys in order with exclusiveStartKey null first and nextExclusiveStartKey null last', async () => {
    const id = (await t.client.keyValueStores().getOrCreate('paged')).id;
    const store = t.client.keyValueStore(id);
    for (const key of ['e', 'a', 'c', 'b', 'd']) await store.setRecord({ key, value: key });
    const first = await rawRequest(t.url, { path: `/v2/key-value-stores/${id}/keys?limit=2`, headers: auth });
    const page1 = (first.json as { data: Record<string, unknown> }).data;
    expect(page1).toMatchObject({
      count: 2,
      limit: 2,
      isTruncated: true,
      exclusiveStartKey: null,
      nextExclusiveStartKey: 'b',
    });
    const last = await store.listKeys({ exclusiveStartKey: 'c' });
    expect(last.items.map((i) => i.key)).toEqual(['d', 'e']);
    expect(last.nextExclusiveStartKey).toBeNull();
    expect(last.isTruncated).toBe(false);
    const keys: string[] = [];
    for await (const item of store.listKeys({ limit: 2 }) as unknown as AsyncIterable<{ key: string }>)
      keys.push(item.key);
    expect(keys).toEqual(['a', 'b']);
    const all: string[] = [];
    for await (const item of store.listKeys() as unknown as AsyncIterable<{ key: string }>)
      all.push(item.key);
    expect(all).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect((await store.listKeys({ prefix: 'd' })).items.map((i) => i.key)).toEqual(['d']);
  });

  it('gives each key a public URL that reads the record without the token', async () => {
    const { items } = await kvs().listKeys({ prefix: 'note' });
    const url = items[0]?.recordPublicUrl;
    expect(url).toBe(`${t.url}/v2/key-value-stores/${storeId}/records/note`);
    const anonymous = new ApifyClient({ baseUrl: t.url, maxRetries: 0 });
    expect((await anonymous.keyValueStore(storeId).getRecord('note'))?.value).toBe('plain text ✓');
    const res = await fetch(url!);
    expect(await res.text()).toBe('plain text ✓');
    // Served sandboxed: an HTML or SVG record opened from the storage browser's origin runs no script.
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

/** Reads a zip through its central directory: name → content (checked against its CRC-32). */
function readZip(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const content = inflateRawSync(zip.subarray(dataAt, dataAt + compressed));
    expect(crc32(content)).toBe(crc);
    files.set(name, content);
    at += 46 + nameLength + extra;
  }
  return files;
}

describe('records archive', () => {
  it('streams a zip of every record, or of those under a prefix', async () => {
    const id = (await t.client.keyValueStores().getOrCreate('zipped')).id;
    const store: StorageClient = t.client;
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    await store.keyValueStore(id).setRecord({ key: 'INPUT', value: { a: 1 } });
    await store.keyValueStore(id).setRecord({ key: 'img-1', value: bytes, contentType: 'image/png' });
    await store.keyValueStore(id).setRecord({ key: 'img-2', value: 'two' });
    const res = await rawRequest(t.url, { path: `/v2/key-value-stores/${id}/records`, headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const files = readZip(res.body);
    expect([...files.keys()].sort()).toEqual(['INPUT', 'img-1', 'img-2']);
    expect(JSON.parse(files.get('INPUT')!.toString())).toEqual({ a: 1 });
    expect(Buffer.compare(files.get('img-1')!, bytes)).toBe(0);
    const some = await rawRequest(t.url, {
      path: `/v2/key-value-stores/${id}/records?prefix=img`,
      headers: auth,
    });
    expect([...readZip(some.body).keys()].sort()).toEqual(['img-1', 'img-2']);
  });
});
