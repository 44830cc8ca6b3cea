import { DownloadItemsFormat } from 'apify-client';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { XMLParser } from 'fast-xml-parser';
import { parse as parseHtml } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './conformance/harness.js';
import { errorType, type RawResponse, rawRequest } from './helpers/server-http.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

let t: TestServer;
let auth: Record<string, string>;
let datasetId: string;

beforeAll(async () => {
  t = await startTestServer();
  auth = { authorization: `Bearer ${t.token}` };
  const ds = await t.client.datasets().getOrCreate('products');
  datasetId = ds.id;
  const items = Array.from({ length: 30 }, (_, i) => ({
    n: i,
    title: `Item ${i}`,
    price: { amount: i * 10, currency: 'EUR' },
    tags: i % 3 === 0 ? ['a', 'b'] : [],
    '#debug': `d${i}`,
    ...(i === 29 ? { errorInfo: 'failed' } : {}),
  }));
  await t.client.dataset(datasetId).pushItems(items);
});

afterAll(async () => {
  await t.close();
});

function get(path: string, headers: Record<string, string> = auth): Promise<RawResponse> {
  return rawRequest(t.url, { path, headers });
}

describe('dataset collection and store endpoints', () => {
  it('POST creates with 201 and Location, answers 200 for an existing name', async () => {
    const first = await rawRequest(t.url, { method: 'POST', path: '/v2/datasets?name=fresh', headers: auth });
    expect(first.status).toBe(201);
    const data = (first.json as { data: { id: string; name: string; createdAt: string } }).data;
    expect(data.name).toBe('fresh');
    expect(data.id).toMatch(/^[a-zA-Z0-9]{17}$/);
    expect(data.createdAt).toMatch(ISO);
    expect(first.headers.location).toBe(`${t.url}/v2/datasets/${data.id}`);
    const again = await rawRequest(t.url, { method: 'POST', path: '/v2/datasets?name=fresh', headers: auth });
    expect(again.status).toBe(200);
    expect((again.json as { data: { id: string } }).data.id).toBe(data.id);
  });

  it('POST without a name makes a new unnamed dataset each time, name null', async () => {
    const a = await t.client.datasets().getOrCreate();
    const b = await t.client.datasets().getOrCreate();
    expect(a.id).not.toBe(b.id);
    const raw = await get(`/v2/datasets/${a.id}`);
    expect((raw.json as { data: { name: unknown } }).data.name).toBeNull();
  });

  it('lists named datasets by default, unnamed too on request, limit at most 1000', async () => {
    const named = await t.client.datasets().list();
    expect(named.items.every((d) => typeof d.name === 'string')).toBe(true);
    const all = await t.client.datasets().list({ unnamed: true });
    expect(all.total).toBeGreaterThan(named.total);
    const raw = await get('/v2/datasets?limit=5000&offset=0');
    const page = (raw.json as { data: { limit: number; offset: number; items: unknown[] } }).data;
    expect(page.limit).toBe(1000);
    expect(page.offset).toBe(0);
  });

  it('GET returns the envelope with ISO timestamps; apify-client turns them into Dates', async () => {
    const raw = await get(`/v2/datasets/${datasetId}`);
    expect(raw.status).toBe(200);
    const data = (raw.json as { data: Record<string, unknown> }).data;
    expect(data.itemCount).toBe(30);
    for (const key of ['createdAt', 'modifiedAt', 'accessedAt']) expect(data[key]).toMatch(ISO);
    const info = await t.client.dataset(datasetId).get();
    expect(info?.createdAt).toBeInstanceOf(Date);
    expect(await t.client.dataset('~products').get()).toMatchObject({ id: datasetId });
    expect(await t.client.dataset('local/products').get()).toMatchObject({ id: datasetId });
  });

  it('renames with PUT (200) and deletes with DELETE (204)', async () => {
    const ds = await t.client.datasets().getOrCreate('to-rename');
    const renamed = await t.client.dataset(ds.id).update({ name: 'renamed' });
    expect(renamed.name).toBe('renamed');
    expect(await t.client.dataset('~renamed').get()).toMatchObject({ id: ds.id });
    const del = await rawRequest(t.url, { method: 'DELETE', path: `/v2/datasets/${ds.id}`, headers: auth });
    expect(del.status).toBe(204);
    expect(del.body.length).toBe(0);
    expect(await t.client.dataset(ds.id).get()).toBeUndefined();
    const gone = await get(`/v2/datasets/${ds.id}`);
    expect(gone.status).toBe(404);
    expect(errorType(gone)).toBe('record-not-found');
  });

  it('pushes with 201; statistics answer for an existing dataset only', async () => {
    const ds = await t.client.datasets().getOrCreate('push-target');
    const res = await rawRequest(t.url, {
      method: 'POST',
      path: `/v2/datasets/${ds.id}/items`,
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ one: 1 }),
    });
    expect(res.status).toBe(201);
    await t.client.dataset(ds.id).pushItems([{ two: 2 }, { three: 3 }]);
    expect((await t.client.dataset(ds.id).get())?.itemCount).toBe(3);
    expect(await t.client.dataset(ds.id).getStatistics()).toEqual({ fieldStatistics: {} });
    expect(await t.client.dataset('nonexistent-ds').getStatistics()).toBeUndefined();
  });
});

describe('dataset items', () => {
  it('sends the five pagination headers; limit 999999999999 when none was asked', async () => {
    const res = await get(`/v2/datasets/${datasetId}/items`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-apify-pagination-offset']).toBe('0');
    expect(res.headers['x-apify-pagination-limit']).toBe('999999999999');
    expect(res.headers['x-apify-pagination-count']).toBe('30');
    expect(res.headers['x-apify-pagination-total']).toBe('30');
    expect(res.headers['x-apify-pagination-desc']).toBe('false');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect((res.json as unknown[]).length).toBe(30);
  });

  it('pages with offset, limit and desc (apify-client listItems)', async () => {
    const page = await t.client.dataset(datasetId).listItems({ offset: 5, limit: 3, desc: true });
    expect(page.items.map((i) => i.n)).toEqual([24, 23, 22]);
    expect(page).toMatchObject({ total: 30, offset: 5, limit: 3, desc: true });
    const raw = await get(`/v2/datasets/${datasetId}/items?offset=28&limit=10&desc=1`);
    expect(raw.headers['x-apify-pagination-desc']).toBe('true');
    expect(raw.headers['x-apify-pagination-count']).toBe('2');
    let seen = 0;
    for await (const _item of t.client.dataset(datasetId).listItems({ chunkSize: 7 })) seen++;
    expect(seen).toBe(30);
  });

  it('applies fields (in order), omit, unwind, flatten, clean and the rest', async () => {
    const ds = t.client.dataset(datasetId);
    const fields = await ds.listItems({ fields: ['title', 'n'], limit: 1 });
    expect(Object.keys(fields.items[0]!)).toEqual(['title', 'n']);
    const omit = await ds.listItems({ omit: ['price', 'tags', '#debug', 'title'], limit: 1 });
    expect(omit.items[0]).toEqual({ n: 0 });
    const unwind = await ds.listItems({ unwind: 'tags', fields: ['n', 'tags'], limit: 1 });
    expect(unwind.items).toEqual([
      { n: 0, tags: 'a' },
      { n: 0, tags: 'b' },
    ]);
    const flat = await ds.listItems({ flatten: ['price'], fields: ['price'], limit: 1 });
    expect(flat.items[0]).toEqual({ 'price.amount': 0, 'price.currency': 'EUR' });
    const clean = await ds.listItems({ clean: true, limit: 1 });
    expect(clean.items[0]).not.toHaveProperty('#debug');
    const renamed = await get(`/v2/datasets/${datasetId}/items?fields=n,title&outputFields=num,name&limit=1`);
    expect(renamed.json).toEqual([{ num: 0, name: 'Item 0' }]);
    const noFailed = await get(`/v2/datasets/${datasetId}/items?skipFailedPages=1&offset=28`);
    expect((noFailed.json as Array<{ n: number }>).map((i) => i.n)).toEqual([28]);
    expect(noFailed.headers['x-apify-pagination-count']).toBe('2');
    const simplified = await get(`/v2/datasets/${datasetId}/items?simplified=1&limit=1`);
    expect(simplified.json).toEqual([{}]);
  });

  it('answers HEAD with the headers only', async () => {
    const res = await rawRequest(t.url, {
      method: 'HEAD',
      path: `/v2/datasets/${datasetId}/items?limit=4`,
      headers: auth,
    });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.headers['x-apify-pagination-limit']).toBe('4');
    expect(res.headers['x-apify-pagination-count']).toBe('4');
    expect(res.headers['x-apify-pagination-total']).toBe('30');
  });

  it('exports csv (BOM, delimiter, skipHeaderRow) with Content-Disposition on attachment', async () => {
    const res = await get(`/v2/datasets/${datasetId}/items?format=csv&fields=n,title&limit=2&attachment=1`);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="products.csv"');
    expect(res.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(parseCsv(res.body.subarray(3))).toEqual([
      ['n', 'title'],
      ['0', 'Item 0'],
      ['1', 'Item 1'],
    ]);
    const semi = await t.client.dataset(datasetId).downloadItems(DownloadItemsFormat.CSV, {
      fields: ['n', 'title'],
      limit: 1,
      delimiter: ';',
      skipHeaderRow: true,
      bom: false,
    });
    expect(semi.toString()).toBe('0;Item 0\n');
  });

  it('exports jsonl, xml, rss, html and xlsx with their content types', async () => {
    const base = `/v2/datasets/${datasetId}/items?fields=n,title&limit=3`;
    const jsonl = await get(`${base}&format=jsonl`);
    expect(jsonl.headers['content-type']).toBe('application/jsonl; charset=utf-8');
    expect(
      jsonl.body
        .toString()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).n),
    ).toEqual([0, 1, 2]);
    const xml = await get(`${base}&format=xml&xmlRoot=products&xmlRow=product`);
    expect(xml.headers['content-type']).toBe('application/xml; charset=utf-8');
    const parsed = new XMLParser().parse(xml.body.toString()) as {
      products: { product: Array<{ n: number }> };
    };
    expect(parsed.products.product.map((p) => p.n)).toEqual([0, 1, 2]);
    const rss = await get(`${base}&format=rss&feedTitle=Shop`);
    expect(rss.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(rss.body.toString()).toContain('Shop');
    const html = await get(`${base}&format=html`);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(parseHtml(html.body.toString()).querySelectorAll('tr').length).toBeGreaterThanOrEqual(3);
    const xlsx = await t.client
      .dataset(datasetId)
      .downloadItems(DownloadItemsFormat.XLSX, { fields: ['n', 'title'], limit: 3 });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'n', 'title']);
    expect(sheet.rowCount).toBe(4);
  });

  it('refuses an unknown format or bad options before sending anything', async () => {
    const format = await get(`/v2/datasets/${datasetId}/items?format=pdf`);
    expect(format.status).toBe(400);
    const outputFields = await get(`/v2/datasets/${datasetId}/items?outputFields=a`);
    expect(outputFields.status).toBe(400);
    expect(errorType(outputFields)).toBe('invalid-request');
    const missing = await get('/v2/datasets/no-such-dataset/items');
    expect(missing.status).toBe(404);
    expect(errorType(missing)).toBe('record-not-found');
  });
});
