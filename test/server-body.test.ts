import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './conformance/harness.js';
import { errorType, rawRequest } from './helpers/server-http.js';

const LIMIT = 9 * 1024 * 1024;

let t: TestServer;
let auth: Record<string, string>;
let datasetId: string;

beforeAll(async () => {
  t = await startTestServer();
  auth = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' };
  datasetId = (await t.client.datasets().getOrCreate('bodies')).id;
});

afterAll(async () => {
  await t.close();
});

function push(body: Buffer | string, headers: Record<string, string> = {}) {
  return rawRequest(t.url, {
    method: 'POST',
    path: `/v2/datasets/${datasetId}/items`,
    headers: { ...auth, ...headers },
    body,
  });
}

async function itemCount(): Promise<number> {
  return (await t.client.dataset(datasetId).get())?.itemCount ?? -1;
}

describe('request bodies', () => {
  it('accepts br, gzip, deflate (zlib and raw) and identity bodies', async () => {
    const items = (tag: string) =>
      JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ tag, i, pad: 'x'.repeat(40) })));
    const before = await itemCount();
    expect((await push(brotliCompressSync(items('br')), { 'content-encoding': 'br' })).status).toBe(201);
    expect((await push(gzipSync(items('gzip')), { 'content-encoding': 'gzip' })).status).toBe(201);
    expect((await push(deflateSync(items('zlib')), { 'content-encoding': 'deflate' })).status).toBe(201);
    expect((await push(deflateRawSync(items('raw')), { 'content-encoding': 'deflate' })).status).toBe(201);
    expect((await push(items('plain'), { 'content-encoding': 'identity' })).status).toBe(201);
    expect(await itemCount()).toBe(before + 250);
    const tags = new Set((await t.client.dataset(datasetId).listItems()).items.map((i) => i.tag));
    expect(tags).toEqual(new Set(['br', 'gzip', 'zlib', 'raw', 'plain']));
  });

  it('is what apify-client sends: pushes over 1 KiB arrive brotli-compressed and intact', async () => {
    const ds = await t.client.datasets().getOrCreate('client-compressed');
    const big = Array.from({ length: 200 }, (_, i) => ({ i, text: `${'é∑'.repeat(20)}${i}` }));
    await t.client.dataset(ds.id).pushItems(big);
    const back = await t.client.dataset(ds.id).listItems();
    expect(back.items).toEqual(big);
  });

  it('answers 415 for an unknown Content-Encoding and stores nothing', async () => {
    const before = await itemCount();
    const res = await push(JSON.stringify({ a: 1 }), { 'content-encoding': 'compress' });
    expect(res.status).toBe(415);
    expect(errorType(res)).toBe('unsupported-content-encoding');
    expect(await itemCount()).toBe(before);
  });

  it('answers 400 invalid-request for a body that does not decompress', async () => {
    const res = await push(Buffer.from('definitely not gzip'), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(errorType(res)).toBe('invalid-request');
  });

  it('answers 413 request-too-large for a body over 9 MiB', async () => {
    const before = await itemCount();
    const big = JSON.stringify([{ pad: 'y'.repeat(LIMIT) }]);
    const res = await push(big);
    expect(res.status).toBe(413);
    expect(errorType(res)).toBe('request-too-large');
    expect(await itemCount()).toBe(before);
  });

  it('answers 413 for a small compressed body that inflates past 9 MiB (zip bomb)', async () => {
    const bomb = gzipSync(Buffer.from(`[{"pad":"${'z'.repeat(LIMIT + 1024)}"}]`));
    expect(bomb.length).toBeLessThan(100_000);
    const res = await push(bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(errorType(res)).toBe('request-too-large');
    const brBomb = brotliCompressSync(Buffer.alloc(LIMIT * 4, 0x20));
    const res2 = await push(brBomb, { 'content-encoding': 'br' });
    expect(res2.status).toBe(413);
  });

  it('answers 400 invalid-request for malformed JSON and for a body of the wrong shape', async () => {
    const before = await itemCount();
    const bad = await push('{"a": 1,');
    expect(bad.status).toBe(400);
    expect(errorType(bad)).toBe('invalid-request');
    const scalar = await push('42');
    expect(scalar.status).toBe(400);
    const rename = await rawRequest(t.url, {
      method: 'PUT',
      path: `/v2/datasets/${datasetId}`,
      headers: auth,
      body: 'not json',
    });
    expect(errorType(rename)).toBe('invalid-request');
    expect(await itemCount()).toBe(before);
  });

  it('keeps the connection usable after a refused body', async () => {
    await push(JSON.stringify([{ pad: 'q'.repeat(LIMIT) }]));
    expect((await t.client.dataset(datasetId).get())?.id).toBe(datasetId);
  });
});

describe('routing errors', () => {
  it('answers 404 page-not-found for unknown routes (apify-client does not swallow it)', async () => {
    for (const path of ['/v2/nothing', '/v1/datasets', '/', `/v2/datasets/${datasetId}/unknown`]) {
      const res = await rawRequest(t.url, { path, headers: auth });
      expect([path, res.status]).toEqual([path, 404]);
      expect(errorType(res)).toBe('page-not-found');
    }
  });

  it('answers 405 method-not-allowed for a known path with another method', async () => {
    const res = await rawRequest(t.url, { method: 'PATCH', path: '/v2/datasets', headers: auth });
    expect(res.status).toBe(405);
    expect(errorType(res)).toBe('method-not-allowed');
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    const del = await rawRequest(t.url, {
      method: 'DELETE',
      path: `/v2/datasets/${datasetId}/items`,
      headers: auth,
    });
    expect(del.status).toBe(405);
    expect(await itemCount()).toBeGreaterThan(0);
  });

  it('answers HEAD wherever GET is answered, without a body', async () => {
    const res = await rawRequest(t.url, { method: 'HEAD', path: `/v2/datasets/${datasetId}`, headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body.length).toBe(0);
  });
});
