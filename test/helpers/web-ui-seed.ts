import { crc32, deflateSync } from 'node:zlib';
import { createFsClient } from '../../src/fs/index.js';

/** What {@link seedStorage} created. */
export interface Seeded {
  datasetId: string;
  bigCount: number;
  unnamedDatasetId: string;
  storeId: string;
  queueId: string;
  png: Buffer;
  /** Ids of the requests that were locked and handled. */
  lockedIds: string[];
  handledCount: number;
  requestCount: number;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A small valid PNG: a blue square with a white diagonal, `size` pixels wide. */
export function makePng(size = 48): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const on = Math.abs(x - y) < 3;
      row.set(on ? [255, 255, 255] : [31, 111, 235], 1 + x * 3);
    }
    rows.push(row);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Item `n` of the big dataset; some values try to be HTML, to prove they are shown as text. */
export function productItem(n: number): Record<string, unknown> {
  return {
    sku: `SKU-${String(n).padStart(6, '0')}`,
    title: n === 1 ? '<img src=x onerror="window.__xss=1">Lamp' : `Product ${n}`,
    price: Math.round(n * 137) / 100,
    url: `https://shop.example/products/${n}`,
    tags: n % 3 === 0 ? ['sale', 'new'] : ['regular'],
    ...(n % 5 === 0 ? { '#debug': { page: n } } : {}),
  };
}

/**
 * Seeds a storage folder through the engine: a dataset of `bigCount` items, an unnamed one, a
 * key-value store with JSON, text, PNG and binary records, and a request queue with pending,
 * locked and handled requests.
 */
export async function seedStorage(storageDir: string, bigCount = 20_000): Promise<Seeded> {
  const client = createFsClient({ storageDir });
  const ds = await client.datasets().getOrCreate('products');
  for (let from = 1; from <= bigCount; from += 1000) {
    const batch: Record<string, unknown>[] = [];
    for (let n = from; n < from + 1000 && n <= bigCount; n++) batch.push(productItem(n));
    await client.dataset(ds.id).pushItems(batch);
  }
  const unnamed = await client.datasets().getOrCreate();
  await client.dataset(unnamed.id).pushItems([{ note: 'scratch run' }, { note: 'second' }]);

  const kv = await client.keyValueStores().getOrCreate('run-files');
  const store = client.keyValueStore(kv.id);
  const png = makePng();
  await store.setRecord({
    key: 'INPUT',
    value: { startUrls: [{ url: 'https://shop.example' }], maxPages: 10 },
  });
  await store.setRecord({
    key: 'notes',
    value: 'Crawl notes\n<b>not bold</b>',
    contentType: 'text/plain; charset=utf-8',
  });
  await store.setRecord({ key: 'screenshot', value: png, contentType: 'image/png' });
  await store.setRecord({
    key: 'blob',
    value: Buffer.from([0, 1, 2, 3, 255]),
    contentType: 'application/octet-stream',
  });

  const rq = await client.requestQueues().getOrCreate('crawl');
  const queue = client.requestQueue(rq.id, { clientKey: 'seed' });
  const requestCount = 120;
  for (let from = 0; from < requestCount; from += 25) {
    const requests = [];
    for (let i = from; i < Math.min(requestCount, from + 25); i++) {
      requests.push({ url: `https://shop.example/page/${i}`, uniqueKey: `page-${i}` });
    }
    await queue.batchAddRequests(requests);
  }
  const handledCount = 40;
  const head = await queue.listHead({ limit: handledCount });
  for (const item of head.items) {
    const request = await queue.getRequest(item.id);
    await queue.updateRequest({ ...request!, handledAt: new Date().toISOString() });
  }
  const locked = await queue.listAndLockHead({ lockSecs: 3600, limit: 3 });
  await client.teardown();
  return {
    datasetId: ds.id,
    bigCount,
    unnamedDatasetId: unnamed.id,
    storeId: kv.id,
    queueId: rq.id,
    png,
    lockedIds: locked.items.map((i) => i.id),
    handledCount,
    requestCount,
  };
}
